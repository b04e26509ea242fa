"""The indices over shot_embeddings: full text on the searchable text, nearest neighbours on the vectors,
scalar indices on the filter columns.

Rows a title run adds after an index was built are still found (Lance searches unindexed rows
exhaustively); `refresh_indices` builds any index that is missing from the table itself (a lost index
costs one rebuild, never a wrong answer) and folds unindexed rows into the indices once there are
FOLD_IN_ROWS of them, or always when maintenance asks (nightly)."""

from collections import Counter

from media_pipelines.lake.search import IMAGE_VECTOR, SEARCH_TEXT, SHOT_EMBEDDINGS, TEXT_VECTOR
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TITLE_ID, open_table

# Scalar indices on the columns filters name most, so a filtered search's pre-filter reads an index, not
# the column: a title's shots (--like, `title_id = ...`), few-valued labels as bitmaps, measures as B-trees.
FILTER_INDICES = {
    TITLE_ID: "BTREE",
    "transition_in": "BITMAP",
    "language": "BITMAP",
    "duration_s": "BTREE",
    "word_count": "BTREE",
    "speech_ratio": "BTREE",
    "music_share": "BTREE",
}
# Below this many shots an exhaustive scan answers in milliseconds and a vector index would only cost
# its training; above it, an IVF index per vector column with an HNSW graph over int8-quantized vectors
# in each partition: at 1.5 M shots a text-vector query takes 8-10 ms with it, 20-30 ms with IVF-PQ.
VECTOR_INDEX_MIN_ROWS = 50_000
VECTOR_INDEX = "IVF_HNSW_SQ"
# Shots per IVF partition: a graph per partition, a few partitions probed per query (shot_search.ANN_PROBES).
ROWS_PER_PARTITION = 50_000
# Unindexed rows searched exhaustively cost about a millisecond per thousand; past this many a title run
# folds them in.
FOLD_IN_ROWS = 20_000
# Segments an index may grow to (one per fold-in) before its newest are merged.
MAX_SEGMENTS = 8


def _partitions(rows: int) -> int:
    return max(1, -(-rows // ROWS_PER_PARTITION))


def refresh_indices(store: ObjectStore, fold_in_rows: int = FOLD_IN_ROWS) -> list[str]:
    """Build the indices shot_embeddings lacks and fold rows written since into the rest once there are
    fold_in_rows of them (1: always); the names of the indices built."""
    dataset = open_table(store, SHOT_EMBEDDINGS)
    if dataset is None:
        return []
    indices = dataset.list_indices()
    present = {field for index in indices for field in index["fields"]}
    # A vector index of an earlier kind (IVF-PQ) is rebuilt as today's: search's probe options assume it.
    vectors = (IMAGE_VECTOR, TEXT_VECTOR)
    outdated = {f for index in indices for f in index["fields"] if f in vectors and index["type"] != VECTOR_INDEX}
    built = []
    if SEARCH_TEXT not in present:
        dataset.create_scalar_index(SEARCH_TEXT, index_type="INVERTED", with_position=False)
        built.append(SEARCH_TEXT)
    for column, kind in FILTER_INDICES.items():
        if column not in present:
            dataset.create_scalar_index(column, index_type=kind)
            built.append(column)
    rows = dataset.count_rows()
    for column in vectors:
        if (column not in present or column in outdated) and rows >= VECTOR_INDEX_MIN_ROWS:
            dataset.create_index(
                column, index_type=VECTOR_INDEX, metric="cosine", num_partitions=_partitions(rows), replace=True
            )
            built.append(column)
    if present and _unindexed_rows(dataset) >= fold_in_rows:
        _fold_in(dataset)
    return built


def load_indices(dataset) -> None:
    """Every index of the table read into the dataset's session, as its searches would load them piece by
    piece (Lance keeps them there while the session's index cache has room: 6 GB by default)."""
    for name in sorted({index["name"] for index in dataset.list_indices()}):
        dataset.prewarm_index(name)


def _fold_in(dataset) -> None:
    """The rows no index covers yet, as a new segment of each index: it costs their rows (0.1 s for a
    title at 1.5 M shots), where merging them into the HNSW graphs rewrites those (18 minutes). A search
    reads every segment, so once an index has MAX_SEGMENTS the newest are merged into one."""
    dataset.optimize.optimize_indices(num_indices_to_merge=0)
    segments = Counter(index["name"] for index in dataset.list_indices())
    if max(segments.values(), default=0) > MAX_SEGMENTS:
        dataset.optimize.optimize_indices(num_indices_to_merge=MAX_SEGMENTS)


def _unindexed_rows(dataset) -> int:
    """Rows no index covers yet. Indices are built and folded in together, so the full-text index's count
    stands for all of them (asking each of the eleven costs seconds at 1.5 M shots)."""
    names = [index["name"] for index in dataset.list_indices() if SEARCH_TEXT in index["fields"]]
    return dataset.stats.index_stats(names[0])["num_unindexed_rows"] if names else dataset.count_rows()
