"""Export the shots a query selects as training shards, written beside the target and renamed into place."""

import contextlib
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

from media_pipelines.core.inspect import sha256_file
from media_pipelines.core.tools import tool_versions_json
from media_pipelines.export.clips import cut_clip
from media_pipelines.export.near_duplicates import NearDuplicateFilter
from media_pipelines.export.samples import ExportQueryError, query_columns, sample_batches
from media_pipelines.export.shards import PAYLOADS, WRITERS
from media_pipelines.lake.query import connection_over, open_tables
from media_pipelines.lake.search import SHOT_EMBEDDINGS
from media_pipelines.lake.store import ObjectStore

MANIFEST = "manifest.json"


def export_shots(
    store: ObjectStore,
    sql: str,
    fmt: str,
    out_dir: Path,
    shard_size: int = 1000,
    clips: bool = False,
    versions: Mapping[str, int] | None = None,
    near_duplicate_cosine: float | None = None,
) -> dict:
    """Returns the manifest, which records the version of every table the export read: the same versions
    (`versions`, e.g. an earlier manifest's `table_versions`), query and options give byte-identical shards,
    whatever titles were re-run since, as long as those versions are retained (lake.maintenance). With
    near_duplicate_cosine, a sample that looks like one already exported is left out (export.near_duplicates)."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}: use {', '.join(WRITERS)}")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and is not an empty folder")
    datasets = open_tables(store, versions)
    connection = connection_over(datasets)
    columns = query_columns(connection, sql)
    if clash := [c for c in columns if c in dict(PAYLOADS)]:
        raise ExportQueryError(f"rename the query's column(s) {', '.join(clash)}: they name sample payloads")
    unique = None
    if near_duplicate_cosine is not None:
        if SHOT_EMBEDDINGS not in datasets:
            raise ExportQueryError("leaving out near-duplicates needs the search index (the shot_embeddings stage)")
        unique = NearDuplicateFilter(datasets[SHOT_EMBEDDINGS], near_duplicate_cosine)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        shards, provenance = _write_shards(
            store, connection, sql, fmt, staging, shard_size, clips, columns, unique.keep if unique else None
        )
        if unique:
            provenance["near_duplicates"] = {"min_cosine": near_duplicate_cosine, "dropped": unique.dropped}
        manifest = {
            "format": fmt,
            "sql": sql,
            "columns": columns,
            "clips": clips,
            "samples": sum(s["samples"] for s in shards),
            "shards": shards,
            "table_versions": {name: dataset.version for name, dataset in sorted(datasets.items())},
            **provenance,
            "software": json.loads(tool_versions_json()),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _write_shards(store, connection, sql, fmt, staging: Path, shard_size, clips, columns, keep):
    write, ext = WRITERS[fmt]
    shards, sources, versions, models = [], set(), defaultdict(set), set()
    version_columns = [c for c in columns if c.endswith("code_version")]
    with _mezzanines(store) as mezzanine, tempfile.TemporaryDirectory(prefix="clips-") as tmp:
        for n, batch in enumerate(sample_batches(connection, sql, shard_size, keep)):
            for sample in batch:
                if sample["__keyframe_uri"]:
                    sample["keyframe"] = store.read_bytes(store.key_for(sample["__keyframe_uri"]))
                if clips and sample["__mezzanine_uri"]:
                    source = mezzanine(sample["__mezzanine_uri"])
                    sample["clip"] = cut_clip(source, sample["__start_s"], sample["__end_s"], Path(tmp) / "clip.mp4")
                sources.add((sample["title_id"], sample["source_id"], sample["__source_sha256"]))
                versions["shots"].add(sample["__shots_code_version"])
                for column in version_columns:
                    versions[column].add(sample[column])
                models.add(sample.get("asr_model"))
            name = f"shard-{n:06d}.{ext}"
            write(staging / name, batch)
            shards.append({"name": name, "samples": len(batch), "sha256": sha256_file(staging / name)})
    provenance = {
        "sources": [{"title_id": t, "source_id": s, "source_sha256": h} for t, s, h in sorted(sources)],
        "code_versions": {k: sorted(v for v in values if v) for k, values in sorted(versions.items())},
        "asr_models": sorted(m for m in models if m),
    }
    return shards, provenance


@contextlib.contextmanager
def _mezzanines(store: ObjectStore) -> Iterator:
    """Samples come sorted by source, so only the current source's mezzanine is kept local."""
    current: dict = {}
    with contextlib.ExitStack() as stack:

        def local(uri: str) -> Path:
            if uri not in current:
                stack.close()
                current.clear()
                current[uri] = stack.enter_context(store.local_copy(store.key_for(uri)))
            return current[uri]

        yield local
