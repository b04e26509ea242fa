"""The indices over shot_embeddings: full text on the searchable text, nearest neighbours on the vectors,
scalar indices on the filter columns.

Rows a title run adds after an index was built are still found (Lance searches unindexed rows
exhaustively); `refresh_indices` builds any index that is missing from the table itself (a lost index
costs one rebuild, never a wrong answer) and folds unindexed rows into the indices once there are
FOLD_IN_ROWS of them, or always when maintenance asks: folding in rewrites index data (25 to 40 s at
1.5 M shots), which a title's run should not pay for its 150 rows."""

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
# its training; above it, an IVF-PQ index per vector column.
VECTOR_INDEX_MIN_ROWS = 50_000
# Unindexed rows searched exhaustively cost about a millisecond per thousand; past this many a title run
# folds them in.
FOLD_IN_ROWS = 20_000


def _partitions(rows: int) -> int:
    # About the square root of the rows, Lance's and FAISS's rule of thumb for IVF.
    return max(1, min(4096, int(rows**0.5)))


def _sub_vectors(dim: int) -> int:
    # 16 dimensions per PQ code (1280 -> 80, 384 -> 24, CLIP's 512 -> 32), dividing the width exactly.
    wanted = max(1, dim // 16)
    return next(n for n in range(wanted, 0, -1) if dim % n == 0)


def refresh_indices(store: ObjectStore, fold_in_rows: int = FOLD_IN_ROWS) -> list[str]:
    """Build the indices shot_embeddings lacks and fold rows written since into the rest once there are
    fold_in_rows of them (1: always); the names of the indices built."""
    dataset = open_table(store, SHOT_EMBEDDINGS)
    if dataset is None:
        return []
    present = {field for index in dataset.list_indices() for field in index["fields"]}
    built = []
    if SEARCH_TEXT not in present:
        dataset.create_scalar_index(SEARCH_TEXT, index_type="INVERTED", with_position=False)
        built.append(SEARCH_TEXT)
    for column, kind in FILTER_INDICES.items():
        if column not in present:
            dataset.create_scalar_index(column, index_type=kind)
            built.append(column)
    rows = dataset.count_rows()
    for column in (IMAGE_VECTOR, TEXT_VECTOR):
        if column not in present and rows >= VECTOR_INDEX_MIN_ROWS:
            dim = dataset.schema.field(column).type.list_size  # the models' width, whatever they are
            dataset.create_index(
                column,
                index_type="IVF_PQ",
                metric="cosine",
                num_partitions=_partitions(rows),
                num_sub_vectors=_sub_vectors(dim),
            )
            built.append(column)
    if present and _unindexed_rows(dataset) >= fold_in_rows:
        dataset.optimize.optimize_indices()
    return built


def _unindexed_rows(dataset) -> int:
    """Rows no index covers yet. Indices are built and folded in together, so the full-text index's count
    stands for all of them (asking each of the eleven costs seconds at 1.5 M shots)."""
    names = [index["name"] for index in dataset.list_indices() if SEARCH_TEXT in index["fields"]]
    return dataset.stats.index_stats(names[0])["num_unindexed_rows"] if names else dataset.count_rows()
