"""Near-duplicate shots across the lake by keyframe embedding: the same shot in a trailer and in its film,
in a recap, in a re-delivery. Found through the search index's nearest neighbours, so each shot costs one
index query (milliseconds) and memory holds keys, not vectors."""

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from media_pipelines.core.search import NEAR_DUPLICATE_COSINE
from media_pipelines.lake.search import IMAGE_VECTOR
from media_pipelines.lake.shot_search import KEY_COLUMNS, nearest_query
from media_pipelines.lake.tables import TITLE_ID

# Neighbours looked at per shot: more near-copies of one shot than this is not a case deliveries produce.
NEIGHBOURS = 32


def checked_cosine(min_cosine: float) -> float:
    if not 0 < min_cosine <= 1:
        raise ValueError(f"a near-duplicate cosine is in (0, 1], not {min_cosine}")
    return min_cosine


def look_alikes(index, vector, min_cosine: float, where: str | None = None) -> list[tuple]:
    """The keys of the shots whose keyframe is within min_cosine of the vector (itself included)."""
    nearest = nearest_query(IMAGE_VECTOR, np.asarray(vector, np.float32), NEIGHBOURS)
    found = index.to_table(columns=[*KEY_COLUMNS, "_distance"], nearest=nearest, filter=where, prefilter=True)
    keys = zip(*(found.column(c).to_pylist() for c in KEY_COLUMNS), strict=True)
    return [k for k, d in zip(keys, found.column("_distance").to_pylist(), strict=True) if d <= 1 - min_cosine]


def duplicate_groups(index, min_cosine: float = NEAR_DUPLICATE_COSINE, where: str | None = None) -> pa.Table:
    """Every shot (of those `where` selects) that has a look-alike, with its `duplicate_group`: the first
    key (TITLE/SOURCE/SHOT) among the shots linked to it, directly or through others. The same lake
    gives the same groups whatever order titles arrived in."""
    checked_cosine(min_cosine)
    parent: dict[tuple, tuple] = {}

    def root(key: tuple) -> tuple:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key, vector in _shots(index, where):
        for other in look_alikes(index, vector, min_cosine, where):
            if other != key:
                first, second = sorted((root(key), root(other)))
                parent[second] = first
    members: dict[tuple, list[tuple]] = {}
    for key in parent:
        members.setdefault(root(key), []).append(key)
    rows = [
        {
            **dict(zip(KEY_COLUMNS, key, strict=True)),
            "duplicate_group": "/".join(map(str, group)),
            "group_size": len(keys),
        }
        for group, keys in members.items()
        if len(keys) > 1
        for key in sorted(keys)
    ]
    schema = pa.schema(
        [(TITLE_ID, pa.string()), ("source_id", pa.string()), ("shot_index", pa.int32()),
         ("duplicate_group", pa.string()), ("group_size", pa.int32())]
    )  # fmt: skip
    return pa.Table.from_pylist(
        sorted(rows, key=lambda r: (r["duplicate_group"], *[r[c] for c in KEY_COLUMNS])), schema=schema
    )


def _shots(index, where: str | None) -> Iterator[tuple[tuple, list[float]]]:
    for batch in index.to_batches(columns=[*KEY_COLUMNS, IMAGE_VECTOR], filter=where, batch_size=1024):
        for row in batch.to_pylist():
            yield tuple(row[c] for c in KEY_COLUMNS), row[IMAGE_VECTOR]
