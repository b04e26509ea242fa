"""Near-duplicate shots left out of an export. In the export's key order, a sample is dropped when a shot
already kept looks like it (lake.near_duplicates, at the table version the export reads), so the same
export drops the same samples."""

from media_pipelines.core.search import NEAR_DUPLICATE_COSINE
from media_pipelines.lake.near_duplicates import checked_cosine, look_alikes


class NearDuplicateFilter:
    """Keeps the first of every set of look-alike samples; memory holds the kept samples' keys only."""

    def __init__(self, index, min_cosine: float = NEAR_DUPLICATE_COSINE):
        self._index = index
        self._min_cosine = checked_cosine(min_cosine)
        self._kept: set[tuple] = set()
        self.dropped = 0

    def keep(self, sample: dict) -> bool:
        key = (sample["title_id"], sample["source_id"], sample["shot_index"])
        vector = sample["__image_vector"]
        if vector is not None and any(k in self._kept for k in look_alikes(self._index, vector, self._min_cosine)):
            self.dropped += 1
            return False
        self._kept.add(key)
        return True
