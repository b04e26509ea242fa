"""Hybrid search over every title's shots: vector neighbours (keyframe and text embeddings) and full-text
matches, each ranked with the SQL filter applied inside the search, fused by reciprocal rank."""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from PIL import Image

from media_pipelines.core.search.fusion import reciprocal_rank_fusion
from media_pipelines.core.search.images import (
    EFFICIENTNET_LITE0,
    ImageEncoder,
    TextToImage,
    UnknownModelError,
    image_encoder,
)
from media_pipelines.core.search.text import query_encoder
from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.search import IMAGE_VECTOR, SEARCH_TEXT, TEXT_VECTOR, index_model_ids
from media_pipelines.lake.tables import TITLE_ID

RESULT_COLUMNS = (
    TITLE_ID,
    "source_id",
    "shot_index",
    "start_s",
    "end_s",
    "keyframe_uri",
    "transcript_text",
    "on_screen_text",
    "visual_tags",
)
KEY_COLUMNS = (TITLE_ID, "source_id", "shot_index")
# Each ranked list looks this many times deeper than the results asked for, so an item found by one list
# just below the top k, and by another far down, still reaches the fused top k.
_DEPTH_FACTOR, _MIN_DEPTH = 2, 40
# Once a vector column has its IVF-HNSW index (lake.search_index): partitions probed per query, and how
# many candidates each partition's graph search keeps (at least twice the neighbours asked for).
ANN_PROBES, ANN_MIN_EF = 8, 80


class SearchError(ValueError):
    """A search that cannot run as asked: nothing to search by, an unknown shot, a bad filter."""


@dataclass(frozen=True)
class ShotRef:
    title_id: str
    source_id: str
    shot_index: int

    @classmethod
    def parse(cls, value: str) -> "ShotRef":
        """TITLE/SOURCE/SHOT, as search results name shots."""
        parts = value.split("/")
        if len(parts) != 3 or not parts[2].isdigit():
            raise SearchError(f"a shot is TITLE/SOURCE/SHOT_INDEX, not {value!r}")
        return cls(validate_title_id(parts[0]), parts[1], int(parts[2]))

    def predicate(self) -> str:
        source = self.source_id.replace("'", "''")
        return f"{TITLE_ID} = '{self.title_id}' AND source_id = '{source}' AND shot_index = {self.shot_index}"


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None  # by meaning (text embedding) and by words (full text)
    like: ShotRef | None = None  # shots that look and read like this one
    image: Path | Image.Image | None = None  # shots that look like this picture
    where: str | None = None  # a SQL condition on the index's columns, applied inside each search
    k: int = 20

    @property
    def depth(self) -> int:
        return max(self.k * _DEPTH_FACTOR, _MIN_DEPTH)


def search_shots(dataset, query: SearchQuery, device: str = "cpu", image_model: str = EFFICIENTNET_LITE0) -> pa.Table:
    """The best k shots for the query, best first, with a fused `score` and the lists that found each
    (`matched_by`). Queries are encoded by the models that built the index: `image_model` names the
    deployment's image encoder (MEDIA_SEARCH_IMAGE_MODEL), which must be the index's to encode a picture
    or, for a CLIP-class index, a text query into the keyframes' space."""
    if query.text is None and query.like is None and query.image is None:
        raise SearchError("search by text, --like a shot or --image, or more than one")
    if query.k < 1:
        raise SearchError("k must be at least 1")
    index_image_id, text_model = _index_models(dataset)
    rankings: dict[str, list[int]] = {}
    exclude = None
    if query.text:
        words = " ".join(re.findall(r"\w+", query.text))
        # One after another: on two cores, encoding and either search at once slow each other more than
        # they overlap (the words' search took 30 ms beside the encoding, 7 ms alone).
        vector = query_encoder(text_model, device).encode([query.text])[0]
        rankings["text_vector"] = _nearest(dataset, TEXT_VECTOR, vector, query)
        if words:
            rankings["full_text"] = _full_text(dataset, words, query)
        if index_image_id.startswith("clip@"):  # words and keyframes share one space: words find pictures
            encoder = _image_encoder(image_model, index_image_id, device)
            if isinstance(encoder, TextToImage):
                vector = encoder.encode_text([query.text])[0]
                rankings["text_to_image"] = _nearest(dataset, IMAGE_VECTOR, vector, query)
    if query.like is not None:
        shot = _the_shot(dataset, query.like)
        exclude = shot["_rowid"]
        # Named apart from a text or image query's own lists, which may come with it.
        rankings["like_image"] = _nearest(dataset, IMAGE_VECTOR, np.asarray(shot[IMAGE_VECTOR]), query)
        if shot[TEXT_VECTOR] is not None:
            rankings["like_text"] = _nearest(dataset, TEXT_VECTOR, np.asarray(shot[TEXT_VECTOR]), query)
    if query.image is not None:
        picture = query.image if isinstance(query.image, Image.Image) else Image.open(query.image)
        encoder = _image_encoder(image_model, index_image_id, device)
        vector = encoder.analyze([picture.convert("RGB")], top_k=0).vectors[0]
        rankings["image_vector"] = _nearest(dataset, IMAGE_VECTOR, vector, query)
    # Lists are fused by row id: every list reads one version of the table, where a row id names one shot.
    fused = [(row, score) for row, score in reciprocal_rank_fusion(list(rankings.values())) if row != exclude]
    return _results(dataset, fused[: query.k], {name: set(rows) for name, rows in rankings.items()})


def _index_models(dataset) -> tuple[str, str]:
    """The image encoder's model id and the text encoder's name whose vectors the index holds."""
    held = index_model_ids(dataset)
    if held is None:
        raise SearchError("the search index holds no shots yet")
    return held[0], held[1].split("@")[0]


def _image_encoder(name: str, index_model_id: str, device: str) -> ImageEncoder:
    try:
        encoder = image_encoder(name, device)
    except UnknownModelError as error:
        raise SearchError(str(error)) from error
    if encoder.model_id != index_model_id:
        raise SearchError(
            f"the index holds {index_model_id} vectors but queries would be encoded by {encoder.model_id}:"
            " set MEDIA_SEARCH_IMAGE_MODEL to the model the index was built with"
        )
    return encoder


def _filter(query: SearchQuery) -> str | None:
    return f"({query.where})" if query.where else None


def _scan(dataset, score: str, **kwargs) -> list[int]:
    """The ranked rows' ids, best first: the columns results show are read for the final k only (each
    ranked row's columns are random reads; at 1.5 M shots even its key costs 2-3 ms a list)."""
    try:
        ranked = dataset.to_table(columns=[score], prefilter=True, with_row_id=True, **kwargs)
        return ranked.column("_rowid").to_pylist()
    except (ValueError, OSError) as error:  # Lance reports a filter it cannot parse or bind as either
        raise SearchError(f"the search failed: {error}") from error


def nearest_query(column: str, vector: np.ndarray, k: int) -> dict:
    """Lance's nearest-neighbour query by cosine, with the index options search uses."""
    return {
        "column": column,
        "q": vector.astype(np.float32),
        "k": k,
        "metric": "cosine",
        "nprobes": ANN_PROBES,
        "ef": max(ANN_MIN_EF, 2 * k),
    }


def _nearest(dataset, column: str, vector: np.ndarray, query: SearchQuery) -> list[int]:
    nearest = nearest_query(column, vector, query.depth)
    # Shots without a vector (no text) are never neighbours: Lance leaves null vectors out of the search.
    return _scan(dataset, "_distance", nearest=nearest, filter=_filter(query))


def _full_text(dataset, words: str, query: SearchQuery) -> list[int]:
    text = {"query": words, "columns": [SEARCH_TEXT]}
    return _scan(dataset, "_score", full_text_query=text, filter=_filter(query), limit=query.depth)


def _the_shot(dataset, ref: ShotRef) -> dict:
    rows = dataset.to_table(columns=[IMAGE_VECTOR, TEXT_VECTOR], filter=ref.predicate(), with_row_id=True).to_pylist()
    if not rows:
        raise SearchError(f"no shot {ref.title_id}/{ref.source_id}/{ref.shot_index} in the search index")
    return rows[0]


def _results(dataset, best: list[tuple[int, float]], found_by: dict[str, set[int]]) -> pa.Table:
    schema = pa.schema([dataset.schema.field(c) for c in RESULT_COLUMNS]).append(pa.field("score", pa.float64()))
    schema = schema.append(pa.field("matched_by", pa.list_(pa.string())))
    rows = {}
    if best:
        wanted = ", ".join(str(row) for row, _ in best)  # integers from the searches themselves
        shown = dataset.to_table(columns=list(RESULT_COLUMNS), filter=f"_rowid IN ({wanted})", with_row_id=True)
        rows = {row["_rowid"]: row for row in shown.to_pylist()}
    ordered = [
        {
            **{c: rows[row][c] for c in RESULT_COLUMNS},
            "score": round(score, 6),
            "matched_by": sorted(name for name, found in found_by.items() if row in found),
        }
        for row, score in best
    ]
    return pa.Table.from_pylist(ordered, schema=schema)
