"""The per-shot media table of one title, joined in DuckDB from the title's stage tables."""

from collections.abc import Mapping
from importlib.resources import files

import pyarrow as pa

INPUTS = ("shots", "frames", "words", "segments", "speech", "cues", "shot_audio", "annotations", "pairs")
MEDIA_TABLE_SQL = files(__package__).joinpath("media_table.sql").read_text(encoding="utf-8")


def join_media_table(tables: Mapping[str, pa.Table]) -> pa.Table:
    """tables: one title's rows by INPUTS name; `pairs` has source_id and audio_source_id per video source."""
    missing = set(INPUTS) - set(tables)
    if missing:
        raise ValueError(f"media table inputs missing: {', '.join(sorted(missing))}")
    import duckdb  # here, not at import: the code location and every other stage's process do without it

    with duckdb.connect() as con:
        for name in INPUTS:
            con.register(name, tables[name])
        return con.sql(MEDIA_TABLE_SQL).to_arrow_table()
