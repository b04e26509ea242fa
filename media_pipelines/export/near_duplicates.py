"""Near-duplicate shots left out of an export: the same shot in a trailer and in its film, in a recap, in a
re-delivery. In the export's key order, a sample is dropped when a shot already kept looks like it (the
cosine of their keyframe embeddings at least `min_cosine`), found among its nearest neighbours in the
search index at the table version the export reads, so the same export drops the same samples."""

import numpy as np

from media_pipelines.export.formats import DEFAULT_NEAR_DUPLICATE_COSINE
from media_pipelines.lake.search import IMAGE_VECTOR
from media_pipelines.lake.shot_search import nearest_query
from media_pipelines.lake.tables import TITLE_ID

# Neighbours looked at per sample: more near-copies of one shot than this, none of them kept, is not a case
# real deliveries produce.
NEIGHBOURS = 32


class NearDuplicateFilter:
    """Keeps the first of every set of look-alike samples; memory holds the kept samples' keys only."""

    def __init__(self, index, min_cosine: float = DEFAULT_NEAR_DUPLICATE_COSINE):
        if not 0 < min_cosine <= 1:
            raise ValueError(f"a near-duplicate cosine is in (0, 1], not {min_cosine}")
        self._index = index
        self._max_distance = 1 - min_cosine
        self._kept: set[tuple] = set()
        self.dropped = 0

    def keep(self, sample: dict) -> bool:
        key = (sample["title_id"], sample["source_id"], sample["shot_index"])
        vector = sample["__image_vector"]
        if vector is not None and any(k in self._kept for k in self._look_alikes(vector)):
            self.dropped += 1
            return False
        self._kept.add(key)
        return True

    def _look_alikes(self, vector) -> list[tuple]:
        nearest = nearest_query(IMAGE_VECTOR, np.asarray(vector, np.float32), NEIGHBOURS)
        found = self._index.to_table(columns=[TITLE_ID, "source_id", "shot_index", "_distance"], nearest=nearest)
        keys = zip(*(found.column(c).to_pylist() for c in (TITLE_ID, "source_id", "shot_index")), strict=True)
        distances = found.column("_distance").to_pylist()
        return [k for k, d in zip(keys, distances, strict=True) if d <= self._max_distance]
