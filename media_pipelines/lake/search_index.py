"""The indices over shot_embeddings: full text on the searchable text, nearest neighbours on the vectors.

Rows a title run adds after an index was built are still found (Lance searches unindexed rows
exhaustively); `refresh_indices` folds them into the indices, and builds any index that is missing
from the table itself, so a lost index costs one rebuild, never a wrong answer."""

from media_pipelines.lake.search import IMAGE_DIM, IMAGE_VECTOR, SEARCH_TEXT, SHOT_EMBEDDINGS, TEXT_DIM, TEXT_VECTOR
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TITLE_ID, open_table

# Below this many shots an exhaustive scan answers in milliseconds and a vector index would only cost
# its training; above it, an IVF-PQ index per vector column.
VECTOR_INDEX_MIN_ROWS = 50_000


def _partitions(rows: int) -> int:
    # About the square root of the rows, Lance's and FAISS's rule of thumb for IVF.
    return max(1, min(4096, int(rows**0.5)))


def refresh_indices(store: ObjectStore) -> list[str]:
    """Build the indices shot_embeddings lacks and fold newly written rows into the rest; the names of
    the indices built."""
    dataset = open_table(store, SHOT_EMBEDDINGS)
    if dataset is None:
        return []
    present = {field for index in dataset.list_indices() for field in index["fields"]}
    built = []
    if SEARCH_TEXT not in present:
        dataset.create_scalar_index(SEARCH_TEXT, index_type="INVERTED", with_position=False)
        built.append(SEARCH_TEXT)
    if TITLE_ID not in present:  # a title's shots (--like, `where title_id = ...`) without a full scan
        dataset.create_scalar_index(TITLE_ID, index_type="BTREE")
        built.append(TITLE_ID)
    rows = dataset.count_rows()
    for column, dim in ((IMAGE_VECTOR, IMAGE_DIM), (TEXT_VECTOR, TEXT_DIM)):
        if column not in present and rows >= VECTOR_INDEX_MIN_ROWS:
            dataset.create_index(
                column,
                index_type="IVF_PQ",
                metric="cosine",
                num_partitions=_partitions(rows),
                num_sub_vectors=dim // 16,
            )
            built.append(column)
    if present:  # indices built before this run: add the rows written since
        dataset.optimize.optimize_indices()
    return built
