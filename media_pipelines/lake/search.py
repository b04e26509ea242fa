"""The shot_text table (on-screen text) and the shot_embeddings table, which is the lake's search index:
vectors, searchable text and the scalar columns filters use, one row per shot of every title."""

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

SHOT_TEXT = "shot_text"
SHOT_EMBEDDINGS = "shot_embeddings"
IMAGE_VECTOR = "image_vector"
TEXT_VECTOR = "text_vector"
SEARCH_TEXT = "search_text"
IMAGE_DIM, TEXT_DIM = 1280, 384  # the default encoders: EfficientNet-Lite0 features, all-MiniLM-L6-v2 sentences

SHOT_TEXT_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("shot_index", pa.int32()),
        ("frame_index", pa.int64()),
        ("pts_s", pa.float64()),
        ("line_index", pa.int32()),
        ("text", pa.string()),
        ("confidence", pa.float64()),
        # the line's box as shares of the frame: left, top, right, bottom
        ("box_left", pa.float64()),
        ("box_top", pa.float64()),
        ("box_right", pa.float64()),
        ("box_bottom", pa.float64()),
        ("ocr_model", pa.string()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
SHOT_TEXT_SPEC = TableSpec(
    SHOT_TEXT,
    SHOT_TEXT_SCHEMA,
    row_key=("source_id", "frame_index", "line_index"),
    description="text read on screen in each shot's keyframe, with its box and confidence, on title time",
)


def shot_embeddings_spec(image_dim: int = IMAGE_DIM, text_dim: int = TEXT_DIM) -> TableSpec:
    """The search index's table for encoders of these widths (the deployment's models decide them)."""
    schema = pa.schema(
        [
            ("source_id", pa.string()),
            ("shot_index", pa.int32()),
            ("start_s", pa.float64()),
            ("end_s", pa.float64()),
            ("duration_s", pa.float64()),
            ("transition_in", pa.string()),
            ("keyframe_uri", pa.string()),
            ("word_count", pa.int64()),
            ("speech_ratio", pa.float64()),
            ("music_share", pa.float64()),
            ("language", pa.string()),
            ("transcript_text", pa.string()),
            ("on_screen_text", pa.string()),
            ("visual_tags", pa.list_(pa.string())),
            ("tag_probabilities", pa.list_(pa.float32())),
            (SEARCH_TEXT, pa.string()),
            (IMAGE_VECTOR, pa.list_(pa.float32(), image_dim)),
            (TEXT_VECTOR, pa.list_(pa.float32(), text_dim)),  # null where nothing is said, shown or read
            ("image_model", pa.string()),
            ("text_model", pa.string()),
            ("source_sha256", pa.string()),
            ("code_version", pa.string()),
        ]
    )
    return TableSpec(
        SHOT_EMBEDDINGS,
        schema,
        row_key=("source_id", "shot_index"),
        description="per shot: keyframe and text embeddings, visual tags, the text it is found by and filter columns",
        media_columns=("keyframe_uri",),
    )


# The default models' table: the catalog's entry, and what the benchmarks write.
SHOT_EMBEDDINGS_SPEC = shot_embeddings_spec()


def index_model_ids(dataset) -> tuple[str, str] | None:
    """The (image, text) model ids of the index's vectors, None while it holds no shot. Every row has the
    same pair: a title run with other models starts the index over."""
    first = dataset.head(1, columns=["image_model", "text_model"]).to_pylist() if dataset is not None else []
    return (first[0]["image_model"], first[0]["text_model"]) if first else None
