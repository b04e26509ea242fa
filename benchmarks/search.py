"""Search: the encoders' throughput on real frames, and hybrid search over a lake-sized index.

1. Throughput on this machine: keyframes of bikes.mp4 (1280 x 720) through EfficientNet-Lite0 (embedding
   and tags), shot passages through all-MiniLM-L6-v2, and keyframes through PP-OCRv4, in shots per second
   after the models are loaded (load times printed apart).
2. Scale: a synthetic shot_embeddings table of --shots rows (150 shots per title; clustered unit vectors,
   as real embeddings cluster; passages drawn from a small vocabulary), written through the project's own
   writer and indexed by `refresh_indices` (full text, filter columns, and IVF-HNSW past 50,000 shots); a few
   text queries on the index as first opened, then its indices loaded into memory as the server loads
   them, and p50/p95 of `search_shots` for k = 20: a text query (text vector + full text, fused), the same with a
   selective filter (one title, three titles) and with broad ones (a label and a range), and an image query; recall@20 of the vector search against an exhaustive scan; and the time to replace one
   title's rows and fold them into the indices. Target: p95 under 50 ms at 1.5 M shots.

Usage: python benchmarks/search.py [--shots 1500000] [--work DIR] [--skip-throughput]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import lance
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_pipelines.core.search.images import EFFICIENTNET_LITE0, image_encoder, image_model_id  # noqa: E402
from media_pipelines.core.search.ocr import read_text  # noqa: E402
from media_pipelines.core.search.text import MINILM_L6, query_encoder, text_encoder, text_model_id  # noqa: E402
from media_pipelines.lake.search import IMAGE_DIM, SHOT_EMBEDDINGS, SHOT_EMBEDDINGS_SPEC, TEXT_DIM  # noqa: E402
from media_pipelines.lake.search_index import load_indices, refresh_indices  # noqa: E402
from media_pipelines.lake.shot_search import KEY_COLUMNS, SearchQuery, ShotRef, nearest_query, search_shots  # noqa: E402
from media_pipelines.lake.store import LocalStore  # noqa: E402
from media_pipelines.lake.tables import open_table, write_title_table, write_titles  # noqa: E402
from media_pipelines.samples.demo import bikes_clip  # noqa: E402

SHOTS_PER_TITLE = 150
TITLES_PER_COMMIT = 250
CLUSTERS = 2000
# Passages drawn from 5,000 made-up words with Zipf frequencies, as a film's dialogue has a few common words
# and a long tail.
VOCABULARY = np.array([f"w{i}" for i in range(5000)])
ZIPF = 1.0 / np.arange(1, len(VOCABULARY) + 1)
ZIPF /= ZIPF.sum()
# Noise around each cluster centre, as a share of the centre's length.
SPREAD = 0.5
QUERIES = 40
COLD_QUERIES = 10
WARM_UP = 20
RECALL_PROBES = 10


def frames(count: int) -> list:
    """Frames of bikes.mp4 spread over the clip, as RGB pictures."""
    import av

    with av.open(str(bikes_clip())) as container:
        decoded = [f.to_image() for f in container.decode(video=0)]
    step = max(1, len(decoded) // count)
    return [decoded[i].convert("RGB") for i in range(0, len(decoded), step)][:count]


def throughput() -> None:
    pictures = frames(48)
    print(
        f"\n## encoders on this machine ({len(pictures)} frames of bikes.mp4, {pictures[0].size[0]}x{pictures[0].size[1]})"
    )
    started = time.perf_counter()
    images = image_encoder(EFFICIENTNET_LITE0)
    print(f"EfficientNet-Lite0 load: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    images.analyze(pictures, top_k=5)
    print(f"keyframe embedding + tags: {len(pictures) / (time.perf_counter() - started):.1f} shots/s")
    started = time.perf_counter()
    texts = text_encoder(MINILM_L6)
    print(f"all-MiniLM-L6-v2 load: {time.perf_counter() - started:.2f} s")
    passages = [" ".join(np.random.default_rng(i).choice(VOCABULARY, 25, p=ZIPF)) for i in range(256)]
    started = time.perf_counter()
    texts.encode(passages)
    print(f"text embedding: {len(passages) / (time.perf_counter() - started):.1f} shots/s (25-word passages)")
    read_text(np.asarray(pictures[0]))  # loads the OCR sessions
    started = time.perf_counter()
    for picture in pictures[:16]:
        read_text(np.asarray(picture))
    print(f"on-screen text (PP-OCRv4, one thread): {16 / (time.perf_counter() - started):.2f} shots/s")


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def title_rows(rng: np.random.Generator, centres: dict[int, np.ndarray], title: int) -> pa.Table:
    n = SHOTS_PER_TITLE
    chosen = rng.integers(0, CLUSTERS, n)
    image, text = (unit(centres[d][chosen] + noise(rng, n, d)) for d in (IMAGE_DIM, TEXT_DIM))
    passages = [" ".join(rng.choice(VOCABULARY, 20, p=ZIPF)) for _ in range(n)]
    starts = np.arange(n, dtype=np.float64) * 4.0
    return pa.table(
        {
            "source_id": [f"s{title}"] * n,
            "shot_index": pa.array(range(n), pa.int32()),
            "start_s": starts,
            "end_s": starts + 4.0,
            "duration_s": np.full(n, 4.0) + rng.random(n),
            "transition_in": rng.choice(["cut", "cut", "cut", "fade", "dissolve"], n),
            "keyframe_uri": [f"media/t{title}/k{i}.jpg" for i in range(n)],
            "word_count": rng.integers(0, 40, n),
            "speech_ratio": rng.random(n),
            "music_share": rng.random(n),
            "language": ["en"] * n,
            "transcript_text": passages,
            "on_screen_text": [""] * n,
            "visual_tags": [["street"]] * n,
            "tag_probabilities": [[0.5]] * n,
            "search_text": passages,
            "image_vector": pa.FixedSizeListArray.from_arrays(pa.array(image.ravel()), IMAGE_DIM),
            "text_vector": pa.FixedSizeListArray.from_arrays(pa.array(text.ravel()), TEXT_DIM),
            "image_model": [image_model_id(EFFICIENTNET_LITE0)] * n,
            "text_model": [text_model_id(MINILM_L6)] * n,
            "source_sha256": ["0" * 64] * n,
            "code_version": ["bench"] * n,
        }
    )


def noise(rng: np.random.Generator, rows: int, dim: int) -> np.ndarray:
    return SPREAD / np.sqrt(dim) * rng.standard_normal((rows, dim), dtype=np.float32)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def scale(shots: int, work: Path) -> None:
    titles = shots // SHOTS_PER_TITLE
    store = LocalStore(work / "lake")
    rng = np.random.default_rng(7)
    centres = {d: unit(rng.standard_normal((CLUSTERS, d), dtype=np.float32)) for d in (IMAGE_DIM, TEXT_DIM)}
    print(f"\n## search over {titles * SHOTS_PER_TITLE:,} shots ({titles:,} titles)")
    started = time.perf_counter()
    existing = open_table(store, SHOT_EMBEDDINGS)
    if existing is not None and existing.count_rows() == titles * SHOTS_PER_TITLE:
        print("reusing the lake written before")
    else:
        for first in range(0, titles, TITLES_PER_COMMIT):
            batch = range(first, min(titles, first + TITLES_PER_COMMIT))
            write_titles(store, SHOT_EMBEDDINGS_SPEC, {f"t{t:05d}": title_rows(rng, centres, t) for t in batch})
        print(f"written in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    built = refresh_indices(store)
    print(f"indices built ({', '.join(built)}) in {time.perf_counter() - started:.0f} s")
    query_encoder(MINILM_L6).encode(["warm up"])  # the model loaded: cold queries time the index alone
    common = ZIPF[:2000] / ZIPF[:2000].sum()
    cold = [" ".join(rng.choice(VOCABULARY[:2000], 3, p=common)) for _ in range(COLD_QUERIES)]
    timings = []
    dataset = open_table(store, SHOT_EMBEDDINGS)  # with caches of its own, empty
    for q in cold:
        started = time.perf_counter()
        search_shots(dataset, SearchQuery(text=q, k=20))
        timings.append(time.perf_counter() - started)
    print(f"text queries on a freshly opened index, without loading it first: {percentiles(timings)}")
    session = lance.Session()
    dataset = open_table(store, SHOT_EMBEDDINGS, session=session)
    started = time.perf_counter()
    load_indices(dataset)
    loaded = time.perf_counter() - started
    print(
        f"indices loaded into memory (as `media-lake serve` does) in {loaded:.1f} s: {session.size_bytes() / 2**30:.2f} GiB"
    )
    queries = [" ".join(rng.choice(VOCABULARY[:2000], 3, p=common)) for _ in range(QUERIES)]
    # Other queries first, so the page cache holds the indices as a serving process's would; the queries
    # timed are still ones the caches have not seen.
    warm_up = [" ".join(rng.choice(VOCABULARY[:2000], 3, p=common)) for _ in range(WARM_UP)]
    filters = {
        "one title": "title_id = 't00042'",
        "three titles": "title_id IN ('t00042', 't04242', 't09999')",
        "a label (20 % of shots)": "transition_in = 'fade'",
        "a range (10 %)": "music_share > 0.9",
        "a label and a range (10 %)": "transition_in = 'fade' AND duration_s > 4.5",
    }
    cases = {"text (vector + full text)": lambda q: SearchQuery(text=q, k=20)}
    for name, where in filters.items():
        cases[f"text, filtered by {name}: {where}"] = lambda q, where=where: SearchQuery(text=q, where=where, k=20)
    liked = dataset.take(rng.choice(dataset.count_rows(), QUERIES + WARM_UP, replace=False), columns=list(KEY_COLUMNS))
    like_of = {q: ShotRef(*row.values()) for q, row in zip(warm_up + queries, liked.to_pylist(), strict=True)}
    cases["like a stored shot (its image and text vectors)"] = lambda q: SearchQuery(like=like_of[q])
    for name, make in cases.items():
        for q in warm_up:
            search_shots(dataset, make(q))
        timings = []
        for q in queries:
            started = time.perf_counter()
            search_shots(dataset, make(q))
            timings.append(time.perf_counter() - started)
        print(f"{name}: {percentiles(timings)}")
    vector = text_encoder(MINILM_L6).encode([queries[0]])[0]
    parts = {
        "query encoding (ONNX Runtime, as search encodes queries)": lambda q: query_encoder(MINILM_L6).encode([q]),
        "query encoding (torch, as passages are encoded)": lambda q: text_encoder(MINILM_L6).encode([q]),
        "text vector alone": lambda q: dataset.to_table(
            columns=["title_id"], nearest=nearest_query("text_vector", vector, SearchQuery(k=20).depth)
        ),
        "full text alone": lambda q: dataset.to_table(
            columns=["title_id", "_score"],
            full_text_query={"query": q, "columns": ["search_text"]},
            limit=SearchQuery(k=20).depth,
        ),
    }
    for name, run in parts.items():
        timings = []
        for q in queries:
            started = time.perf_counter()
            run(q)
            timings.append(time.perf_counter() - started)
        print(f"  {name}: {percentiles(timings)}")
    probes = unit(centres[IMAGE_DIM][rng.integers(0, CLUSTERS, QUERIES)] + noise(rng, QUERIES, IMAGE_DIM))
    for probe in unit(centres[IMAGE_DIM][rng.integers(0, CLUSTERS, WARM_UP)] + noise(rng, WARM_UP, IMAGE_DIM)):
        dataset.to_table(columns=["title_id"], nearest=nearest_query("image_vector", probe, 20))
    timings, recalls = [], []
    for n, probe in enumerate(probes):
        nearest = nearest_query("image_vector", probe, 20)
        started = time.perf_counter()
        found = dataset.to_table(columns=["title_id", "shot_index"], nearest=nearest)
        timings.append(time.perf_counter() - started)
        if n < RECALL_PROBES:  # an exhaustive scan reads every vector: a few probes tell the recall
            exhaustive = {"column": "image_vector", "q": probe, "k": 20, "metric": "cosine", "use_index": False}
            exact = dataset.to_table(columns=["title_id", "shot_index"], nearest=exhaustive)
            recalls.append(len(_shot_keys(found) & _shot_keys(exact)) / 20)
    print(f"image vector, k = 20: {percentiles(timings)}; recall@20 against an exhaustive scan {np.mean(recalls):.2f}")
    altered_copies_found_first(dataset, rng, "with the index as built")
    rows = title_rows(rng, centres, 0)
    started = time.perf_counter()
    write_title_table(store, SHOT_EMBEDDINGS_SPEC, "t00000", rows)
    written = time.perf_counter() - started
    refresh_indices(store)
    refreshed = time.perf_counter() - started - written
    started = time.perf_counter()
    refresh_indices(store, fold_in_rows=1)
    print(
        f"one title's update: rows replaced in {written * 1000:.0f} ms, index check {refreshed:.2f} s;"
        f" maintenance's fold-in of its rows {time.perf_counter() - started:.1f} s"
    )
    altered_copies_found_first(open_table(store, SHOT_EMBEDDINGS), rng, "after the fold-in")


def altered_copies_found_first(dataset, rng: np.random.Generator, when: str) -> None:
    """The reverse image search case: a stored shot's vector, slightly altered, must come back first."""
    rows = rng.choice(dataset.count_rows(), QUERIES, replace=False)
    stored = dataset.take(rows, columns=["title_id", "shot_index", "image_vector"]).to_pylist()
    first = 0
    for shot in stored:
        probe = unit(np.asarray([shot["image_vector"]], np.float32) + noise(rng, 1, IMAGE_DIM) / 3)[0]
        found = dataset.to_table(columns=["title_id", "shot_index"], nearest=nearest_query("image_vector", probe, 1))
        first += _shot_keys(found) == {(shot["title_id"], shot["shot_index"])}
    print(f"altered copies of stored shots found first, {when}: {first}/{len(stored)}")


def _shot_keys(table: pa.Table) -> set[tuple]:
    return set(zip(table.column("title_id").to_pylist(), table.column("shot_index").to_pylist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shots", type=int, default=1_500_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--lake", type=Path, help="keep the synthetic lake here, and reuse it if it is there")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        throughput()
    if args.lake:
        scale(args.shots, args.lake)
        return
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        scale(args.shots, Path(work))


if __name__ == "__main__":
    main()
