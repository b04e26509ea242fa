from dataclasses import dataclass

import dagster as dg
import numpy as np
import pyarrow as pa

from media_pipelines.core.search.documents import shot_search_text
from media_pipelines.core.search.images import image_encoder, image_model_dim, image_model_id
from media_pipelines.core.search.ocr import MIN_CONFIDENCE, TextLine, ocr_model_id
from media_pipelines.core.search.text import MINILM_L6, text_encoder, text_model_id
from media_pipelines.core.search.text_frames import MAX_EXTRA_FRAMES, TEXT_RISE_LEVELS
from media_pipelines.core.tools import code_version
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.enrich.assets import media_table
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import SearchSettings, StorageRoot
from media_pipelines.defs.retries import HEAVY_RETRY
from media_pipelines.defs.search.on_screen import keyframe_image, title_text_rows
from media_pipelines.defs.shots.assets import shots
from media_pipelines.lake.media_table import MEDIA_TABLE
from media_pipelines.lake.search import (
    SHOT_EMBEDDINGS,
    SHOT_TEXT,
    SHOT_TEXT_SCHEMA,
    SHOT_TEXT_SPEC,
    TEXT_DIM,
    index_model_ids,
    shot_embeddings_spec,
)
from media_pipelines.lake.search_index import refresh_indices
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import open_table, read_title_table, start_table_over, write_title_table

TEXT_MODEL = MINILM_L6
TAGS_PER_SHOT = 5
# Keyframes are full-size pictures (6 MB decoded at 1080p): a film's worth would not fit in memory.
KEYFRAMES_PER_BATCH = 32
# Tags below this probability say more about the classifier than about the picture (and would put noise
# into the shot's text embedding).
MIN_TAG_PROBABILITY = 0.15
# The model ids name the weights (package releases, or a checkpoint's digest): new weights mark every
# title's embeddings stale.
OCR_MODEL_ID, TEXT_MODEL_ID = ocr_model_id(), text_model_id(TEXT_MODEL)
SHOT_TEXT_CODE_VERSION = code_version(
    "shot-text-2",
    OCR_MODEL_ID,
    str(MIN_CONFIDENCE),
    f"frames rising {TEXT_RISE_LEVELS}, up to {MAX_EXTRA_FRAMES}",
    libraries=("pillow", "onnxruntime"),
    media_tools=True,
)


def shot_embeddings_code_version(image_model_id: str) -> str:
    return code_version(
        "shot-embeddings-1",
        image_model_id,
        TEXT_MODEL_ID,
        f"tags {TAGS_PER_SHOT} >= {MIN_TAG_PROBABILITY}",
        libraries=("pillow", "torch", "sentence-transformers", "transformers"),
    )


@dg.asset(
    metadata=tables_metadata(SHOT_TEXT_SPEC),
    partitions_def=titles_partitions,
    deps=[shots],
    pool="embeddings",
    automation_condition=STAGE_AUTOMATION,
    code_version=SHOT_TEXT_CODE_VERSION,
    kinds={"onnx", "lance"},
    group_name=groups.ANALYSIS,
    retry_policy=HEAVY_RETRY,
)
def shot_text(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """Text shown on screen in each shot (title cards, signs, burnt-in captions), read where it appears."""
    title_id = title_id_of(context)
    store = lake.store()
    rows, extra_frames = title_text_rows(store, title_id, _text_row)
    write_title_table(store, SHOT_TEXT, title_id, pa.Table.from_pylist(rows, schema=SHOT_TEXT_SCHEMA))
    shots_with_text = len({(r["source_id"], r["shot_index"]) for r in rows})
    return dg.MaterializeResult(
        metadata={
            SUMMARY: f"{len(rows)} lines of on-screen text in {shots_with_text} shots",
            "sampled_frames_read": extra_frames,  # besides every keyframe: where text rose
            ROW_COUNT: len(rows),
            "lines": dg.MetadataValue.md("\n".join(f"- {r['pts_s']:.1f} s: {r['text']}" for r in rows[:20]) or "none"),
            "ocr_model": OCR_MODEL_ID,
        }
    )


def _text_row(shot: dict, frame_index: int, line_index: int, line: TextLine) -> dict:
    left, top, right, bottom = line.box
    return {
        "source_id": shot["source_id"],
        "shot_index": shot["shot_index"],
        "frame_index": frame_index,
        "pts_s": round(frame_index / shot["fps"], 6),
        "line_index": line_index,
        "text": line.text,
        "confidence": line.confidence,
        "box_left": left,
        "box_top": top,
        "box_right": right,
        "box_bottom": bottom,
        "ocr_model": OCR_MODEL_ID,
        "source_sha256": shot["source_sha256"],
        "code_version": SHOT_TEXT_CODE_VERSION,
    }


def shot_embeddings_asset(image_model: str) -> dg.AssetsDefinition:
    """The shot_embeddings stage for the deployment's image encoder (MEDIA_SEARCH_IMAGE_MODEL, read in
    definitions.py): its model id is in the code version, its width in the table's schema."""
    stage = _EmbeddingStage(image_model, image_model_id(image_model))
    spec = shot_embeddings_spec(image_model_dim(image_model), TEXT_DIM)

    @dg.asset(
        name=SHOT_EMBEDDINGS,
        metadata=tables_metadata(spec),
        partitions_def=titles_partitions,
        deps=[media_table, shot_text],
        pool="embeddings",
        automation_condition=STAGE_AUTOMATION,
        code_version=stage.code_version,
        kinds={"pytorch", "lance"},
        group_name=groups.SEARCH,
        retry_policy=HEAVY_RETRY,
    )
    def shot_embeddings(
        context: dg.AssetExecutionContext, lake: StorageRoot, search: SearchSettings
    ) -> dg.MaterializeResult:
        """The title's shots in the search index: keyframe and text embeddings, visual tags and filter columns."""
        return stage.run(context, lake.store(), search.torch_device(), spec)

    return shot_embeddings


@dataclass(frozen=True)
class _EmbeddingStage:
    image_model: str
    image_model_id: str

    @property
    def code_version(self) -> str:
        return shot_embeddings_code_version(self.image_model_id)

    def run(self, context: dg.AssetExecutionContext, store: ObjectStore, device: str, spec) -> dg.MaterializeResult:
        title_id = title_id_of(context)
        shots_rows = [r for r in read_title_table(store, MEDIA_TABLE, title_id).to_pylist() if r["keyframe_uri"]]
        lines: dict[tuple[str, int], list[str]] = {}
        for line in read_title_table(store, SHOT_TEXT, title_id).to_pylist():
            lines.setdefault((line["source_id"], line["shot_index"]), []).append(line["text"])
        encoder = image_encoder(self.image_model, device)
        rows = []
        for shot, vector, tags in _analyzed(store, encoder, shots_rows):
            kept = [t for t in tags if t.probability >= MIN_TAG_PROBABILITY]
            on_screen = lines.get((shot["source_id"], shot["shot_index"]), [])
            said, subtitles = shot["transcript_text"] or "", shot["subtitle_text"] or ""
            text = shot_search_text(said, subtitles, on_screen, [t.label for t in kept])
            rows.append(self._row(shot, vector, kept, on_screen, text))
        spoken = [i for i, r in enumerate(rows) if r["search_text"]]
        texts = text_encoder(TEXT_MODEL, device).encode([rows[i]["search_text"] for i in spoken])
        for i, vector in zip(spoken, texts, strict=True):
            rows[i]["text_vector"] = vector.tolist()
        table = pa.Table.from_pylist(rows, schema=spec.schema)
        held = index_model_ids(open_table(store, SHOT_EMBEDDINGS))
        if held is not None and held != (self.image_model_id, TEXT_MODEL_ID):
            # Vectors of other models cannot be searched beside these: the index starts over from this
            # title, and the other titles, stale by the code version, come back as their runs re-embed them.
            context.log.warning(f"search index of {held} started over for {(self.image_model_id, TEXT_MODEL_ID)}")
            uri = start_table_over(store, spec, title_id, table)
        else:
            uri = write_title_table(store, spec, title_id, table)
        try:
            built = ", ".join(refresh_indices(store)) or "none (the existing ones now cover this title)"
        except (OSError, ValueError, RuntimeError) as error:
            # The rows are committed and searched exhaustively until the next refresh folds them in.
            context.log.warning(f"search indices not refreshed: {error}")
            built = f"not refreshed ({type(error).__name__}); the next title run or maintenance retries"
        tags = sorted({t for r in rows for t in r["visual_tags"]})
        return dg.MaterializeResult(
            metadata={
                SUMMARY: f"{len(rows)} shots indexed, {len(spoken)} with text, {len(tags)} distinct visual tags",
                ROW_COUNT: len(rows),
                "table": dg.MetadataValue.path(uri),
                "image_model": self.image_model_id,
                "text_model": TEXT_MODEL_ID,
                "indices_built": built,
                "neighbours": dg.MetadataValue.md(_neighbours(rows)),
            },
        )

    def _row(self, shot: dict, vector: np.ndarray, tags: list, on_screen: list[str], text: str) -> dict:
        return {
            **{c: shot[c] for c in _FROM_MEDIA_TABLE},
            "on_screen_text": "\n".join(on_screen),
            "visual_tags": [t.label for t in tags],
            "tag_probabilities": [t.probability for t in tags],
            "search_text": text,
            "image_vector": vector.tolist(),
            "text_vector": None,
            "image_model": self.image_model_id,
            "text_model": TEXT_MODEL_ID,
            "code_version": self.code_version,
        }


def _analyzed(store: ObjectStore, encoder, shots_rows: list[dict]):
    """(shot, keyframe vector, tags) per shot, a batch of keyframes in memory at a time, not the title's."""
    for start in range(0, len(shots_rows), KEYFRAMES_PER_BATCH):
        batch = shots_rows[start : start + KEYFRAMES_PER_BATCH]
        analysis = encoder.analyze([keyframe_image(store, r["keyframe_uri"]) for r in batch], TAGS_PER_SHOT)
        yield from zip(batch, analysis.vectors, analysis.tags, strict=True)


_FROM_MEDIA_TABLE = (
    "source_id",
    "shot_index",
    "start_s",
    "end_s",
    "duration_s",
    "transition_in",
    "keyframe_uri",
    "word_count",
    "speech_ratio",
    "music_share",
    "language",
    "transcript_text",
    "source_sha256",
)


def _neighbours(rows: list[dict], examples: int = 5) -> str:
    """A few shots of the title with their nearest other shot by keyframe, for a glance in the UI."""
    if len(rows) < 2:
        return "fewer than two shots"
    vectors = np.array([r["image_vector"] for r in rows], dtype=np.float32)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    lines = ["| shot | nearest shot | cosine |", "|---|---|---|"]
    for i in range(min(examples, len(rows))):
        j = int(np.argmax(similarity[i]))
        lines.append(f"| {_shot_name(rows[i])} | {_shot_name(rows[j])} | {similarity[i, j]:.3f} |")
    return "\n".join(lines)


def _shot_name(row: dict) -> str:
    return f"{row['source_id']}#{row['shot_index']} ({row['start_s']:.1f} s)"
