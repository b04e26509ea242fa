"""The vector indices of the search index, on a table past the size that gets them (made small here)."""

from collections import Counter

import numpy as np
import pyarrow.compute as pc
import pytest

from media_pipelines.lake import search_index
from media_pipelines.lake.search import SHOT_EMBEDDINGS, shot_embeddings_spec
from media_pipelines.lake.shot_search import SearchQuery, ShotRef, nearest_query, search_shots
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import open_table, read_title_table, write_title_table, write_titles
from media_pipelines_tests.table_rows import table_rows

DIM = 32
TITLES, SHOTS = 6, 100


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """600 shots of six titles in 30 clusters, with the index thresholds scaled down to them."""
    monkeypatch.setattr(search_index, "VECTOR_INDEX_MIN_ROWS", 500)
    monkeypatch.setattr(search_index, "ROWS_PER_PARTITION", 200)
    rng = np.random.default_rng(0)
    centres = unit(rng.standard_normal((30, DIM)))
    spec = shot_embeddings_spec(DIM, DIM)
    titles = {}
    for t in range(TITLES):
        vectors = unit(centres[rng.integers(0, 30, SHOTS)] + 0.3 * rng.standard_normal((SHOTS, DIM)))
        rows = [
            {
                "source_id": "s",
                "shot_index": i,
                "duration_s": 1.0 + i % 5,
                "search_text": f"title{t} shot{i}",
                "image_vector": vectors[i].tolist(),
                "text_vector": vectors[(i + 1) % SHOTS].tolist(),
                "image_model": "efficientnet-lite0@test",
                "text_model": "all-MiniLM-L6-v2@test",
            }
            for i in range(SHOTS)
        ]
        titles[f"t{t}"] = table_rows(SHOT_EMBEDDINGS, rows, spec.schema)
    store = LocalStore(tmp_path / "lake")
    write_titles(store, spec, titles)
    return store


def vector_index_types(store) -> dict[str, str]:
    indices = open_table(store, SHOT_EMBEDDINGS).list_indices()
    return {f: index["type"] for index in indices for f in index["fields"] if f.endswith("_vector")}


def test_past_the_threshold_each_vector_column_gets_an_hnsw_index_that_search_uses(store):
    assert set(search_index.refresh_indices(store)) >= {"image_vector", "text_vector"}
    assert vector_index_types(store) == {"image_vector": "IVF_HNSW_SQ", "text_vector": "IVF_HNSW_SQ"}
    dataset = open_table(store, SHOT_EMBEDDINGS)
    stored = dataset.to_table(columns=["title_id", "shot_index", "image_vector"], filter="title_id = 't3'").to_pylist()
    assert "ANN" in dataset.scanner(nearest=nearest_query("image_vector", np.ones(DIM), 5)).explain_plan()
    hits = 0
    for shot in stored:
        nearest = nearest_query("image_vector", np.asarray(shot["image_vector"]), 1)
        found = dataset.to_table(columns=["title_id", "shot_index"], nearest=nearest).to_pylist()
        hits += [(r["title_id"], r["shot_index"]) for r in found] == [(shot["title_id"], shot["shot_index"])]
    assert hits >= 0.95 * SHOTS


def test_a_vector_index_of_an_earlier_kind_is_rebuilt_as_todays(store):
    dataset = open_table(store, SHOT_EMBEDDINGS)
    dataset.create_index("image_vector", index_type="IVF_PQ", metric="cosine", num_partitions=2, num_sub_vectors=4)
    assert vector_index_types(store) == {"image_vector": "IVF_PQ"}
    assert set(search_index.refresh_indices(store)) >= {"image_vector", "text_vector"}
    assert vector_index_types(store) == {"image_vector": "IVF_HNSW_SQ", "text_vector": "IVF_HNSW_SQ"}
    assert search_index.refresh_indices(store) == []


def test_a_filtered_search_over_the_hnsw_indices_keeps_to_the_filter_and_fills_k(store):
    search_index.refresh_indices(store)
    dataset = open_table(store, SHOT_EMBEDDINGS)
    like = ShotRef("t1", "s", 7)
    found = search_shots(dataset, SearchQuery(like=like, where="duration_s >= 4", k=20)).to_pylist()
    # duration_s is 1 + shot_index % 5: two shots in five pass, 240 in all, so k is filled from them alone.
    assert len(found) == 20 and all(r["shot_index"] % 5 >= 3 for r in found)
    assert all("like_image" in r["matched_by"] or "like_text" in r["matched_by"] for r in found)


def test_folding_in_adds_a_segment_per_fold_and_merges_past_the_limit(store, monkeypatch):
    monkeypatch.setattr(search_index, "MAX_SEGMENTS", 2)
    search_index.refresh_indices(store)
    for _ in range(4):
        rows = read_title_table(store, SHOT_EMBEDDINGS, "t2")
        rows = rows.set_column(rows.schema.get_field_index("duration_s"), "duration_s", pc.add(rows["duration_s"], 1))
        write_title_table(store, shot_embeddings_spec(DIM, DIM), "t2", rows)
        assert search_index.refresh_indices(store, fold_in_rows=1) == []
        dataset = open_table(store, SHOT_EMBEDDINGS)
        segments = Counter(index["name"] for index in dataset.list_indices())
        assert max(segments.values()) == 2  # one more per fold-in, the newest merged past two
        assert dataset.stats.index_stats("search_text_idx")["num_unindexed_rows"] == 0
    like = search_shots(dataset, SearchQuery(like=ShotRef("t2", "s", 3), k=5)).to_pylist()
    assert len(like) == 5
