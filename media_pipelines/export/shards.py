"""Shard files whose bytes depend only on their samples: fixed tar headers, sorted members, stable JSON."""

import io
import json
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from media_pipelines.export.formats import PARQUET, WEBDATASET

# Sample fields that are payloads, not metadata: (field, WebDataset extension).
PAYLOADS = (("keyframe", "jpg"), ("clip", "mp4"))


def sample_json(sample: dict) -> bytes:
    metadata = {k: v for k, v in sample.items() if k not in dict(PAYLOADS) and not k.startswith("__")}
    return json.dumps(metadata, sort_keys=True, ensure_ascii=False, default=str).encode()


def write_webdataset_shard(path: Path, samples: list[dict]) -> None:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for sample in samples:
            members = [("json", sample_json(sample))]
            members += [(ext, sample[field]) for field, ext in PAYLOADS if sample.get(field) is not None]
            for ext, data in sorted(members):
                info = tarfile.TarInfo(f"{sample['__key__']}.{ext}")
                info.size, info.mtime, info.mode = len(data), 0, 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                tar.addfile(info, io.BytesIO(data))


def write_parquet_shard(path: Path, samples: list[dict]) -> None:
    rows = [{k: v for k, v in s.items() if not k.startswith("__") or k == "__key__"} for s in samples]
    table = pa.Table.from_pylist(rows)
    for field, _ in PAYLOADS:
        if field in table.column_names:
            table = table.set_column(table.schema.get_field_index(field), field, table[field].cast(pa.binary()))
    pq.write_table(table, path, compression="zstd")


WRITERS = {WEBDATASET: (write_webdataset_shard, "tar"), PARQUET: (write_parquet_shard, "parquet")}
