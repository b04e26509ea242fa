"""Search over the demo titles and a title of generated title cards, end to end: `media-lake demo`, the
search stages, then queries through the CLI and the Python API."""

import io
import json
import shutil
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image, ImageDraw, ImageEnhance

from media_pipelines.cli import main
from media_pipelines.core.search.clip import clip_model_id
from media_pipelines.core.search.images import image_encoder
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.core.transcripts.wer import normalized
from media_pipelines.definitions import build_resources
from media_pipelines.defs.partitions import TITLES_PARTITION_NAME
from media_pipelines.defs.search import assets as search_assets
from media_pipelines.defs.search.assets import shot_embeddings_asset
from media_pipelines.lake.search import SHOT_EMBEDDINGS, SHOT_TEXT
from media_pipelines.lake.search_index import FILTER_INDICES, refresh_indices
from media_pipelines.lake.shot_search import SearchError
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import open_table
from media_pipelines.query import Lake
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.demo import JFK_LINES, bikes_clip
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts
from media_pipelines_tests.cards import CAPTIONS, CARDS, captions_clip, cards_clip
from media_pipelines_tests.conftest import REPO
from media_pipelines_tests.tiny_clip import PROJECTION_DIM, tiny_clip_checkpoint

# Said differently from the clip: no more than a word or two in common with the line it means.
PARAPHRASES = {
    "And so, my fellow Americans,": "therefore, dear citizens of the United States",
    "ask not what your country can do for you,": "don't ask what the nation will give you",
}
# Not the third line, "ask what you can do for your country": MiniLM ranks its paraphrases with the
# second, which has the same words in another order.
# The JFK speech cut in its pauses, so each line is one shot's dialogue (the demo's studio-edits cuts
# across lines, and the jfk title is one shot).
SPEECH_SHOTS_S = (2.8, 5.12, 3.08)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    project = tmp_path_factory.mktemp("search")
    shutil.copy(REPO / "dagster.yaml", project / "dagster.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        patch.setattr(search_assets, "KEYFRAMES_PER_BATCH", 4)  # bikes' 6 shots span two batches
        for name in ("DAGSTER_HOME", "MEDIA_LANDING_ROOT", "MEDIA_LAKE_ROOT", "MEDIA_S3_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        assert main(["demo"]) == 0
        (project / "data/landing/cards").mkdir(parents=True)
        cards_clip(project / "data/landing/cards/cards.mp4")
        (project / "data/landing/captions").mkdir(parents=True)
        captions_clip(project / "data/landing/captions/captions.mp4", blocks_picture())
        (project / "data/landing/speech").mkdir(parents=True)
        spec = ClipSpec(shots=shots_with_cuts(list(SPEECH_SHOTS_S)), audio=jfk_audio())
        make_clip(spec, project / "data/landing/speech/speech.mp4")
        # A trailer: the film's first three shots, cut where they end, at half size and lower quality.
        film = Lake(LocalStore(project / "data/lake")).table("shots", title="bikes").to_pylist()
        (project / "data/landing/trailer").mkdir(parents=True)
        run_ffmpeg(
            ["-i", str(bikes_clip()), "-t", f"{film[2]['end_s']:.3f}", "-vf", "scale=640:-2", "-c:v", "libx264",
             "-crf", "30", "-an", str(project / "data/landing/trailer/trailer.mp4")]
        )  # fmt: skip
        titles = ("cards", "captions", "trailer", "speech")
        assert main(["run", *(arg for title in titles for arg in ("--title", title))]) == 0
        yield Lake(LocalStore(project / "data/lake")), project


def blocks_picture(seed: int = 5) -> Image.Image:
    """A busy picture no other title shows: a few hundred coloured blocks, some edged like windows."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (1280, 720), (90, 110, 130))
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.integers(0, 1280), rng.integers(0, 720)
        w, h = rng.integers(20, 160), rng.integers(20, 160)
        colour = tuple(int(c) for c in rng.integers(30, 220, 3))
        draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(20, 20, 20) if rng.random() < 0.5 else None)
    return image


def search_json(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["search", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_title_cards_are_read_into_shot_text_on_title_time(lake):
    lake, _ = lake
    rows = lake.table(SHOT_TEXT, title="cards").to_pylist()
    assert [r["text"] for r in rows] == [c.text for c in CARDS]
    assert [r["shot_index"] for r in rows] == [0, 1, 2]
    for shot, row in zip(lake.table("shots", title="cards").to_pylist(), rows, strict=True):
        assert shot["start_s"] <= row["pts_s"] < shot["end_s"]


def test_captions_that_come_and_go_within_a_shot_are_read_where_they_show(lake):
    """One shot, two captions apart: the keyframe shows one at most; the other is read from a sampled
    frame where the edge grid rose, on the title time of that frame."""
    lake, _ = lake
    assert lake.table("shots", title="captions").num_rows == 1
    rows = lake.table(SHOT_TEXT, title="captions").to_pylist()
    assert [r["text"] for r in rows] == [c.text for c in CAPTIONS]
    for caption, row in zip(CAPTIONS, rows, strict=True):
        assert caption.start_s <= row["pts_s"] < caption.end_s and row["shot_index"] == 0


def test_a_card_is_found_by_the_words_it_shows(lake, capsys):
    found = search_json(capsys, "into the storm", "-k", "3")
    assert (found[0]["title_id"], found[0]["shot_index"]) == ("cards", 1)
    assert {"title_id", "source_id", "shot_index", "start_s", "end_s", "score"} <= set(found[0])
    assert "full_text" in found[0]["matched_by"]


def test_a_paraphrase_of_a_spoken_line_finds_its_shot_first(lake):
    """Within the title, the paraphrase's shot comes first; across the lake, where the same speech is in
    three titles, the first shot found says the whole line."""
    lake, _ = lake
    for shot_index, (line, paraphrase) in enumerate(PARAPHRASES.items()):
        [best] = lake.search(paraphrase, where="title_id = 'speech'", k=1).to_pylist()
        assert best["shot_index"] == shot_index, (paraphrase, best["transcript_text"])
        [anywhere] = lake.search(paraphrase, k=1).to_pylist()
        said = " ".join(normalized(anywhere["transcript_text"]))
        assert " ".join(normalized(line)) in said, (paraphrase, anywhere["title_id"], anywhere["transcript_text"])


def test_filters_apply_inside_the_search(lake):
    lake, _ = lake
    everywhere = lake.search(JFK_LINES[1][2], k=50).to_pylist()
    assert {r["title_id"] for r in everywhere} >= {"jfk", "studio-edits"}
    only_jfk = lake.search(JFK_LINES[1][2], where="title_id = 'jfk'", k=5).to_pylist()
    assert only_jfk and {r["title_id"] for r in only_jfk} == {"jfk"}
    assert lake.search("taxi", where="duration_s > 1000", k=5).num_rows == 0


def altered(keyframe: Image.Image) -> Image.Image:
    """Cropped by 10 % on every side, brightened by a fifth, halved in size and re-encoded as a rough JPEG."""
    width, height = keyframe.size
    cropped = keyframe.crop((width // 10, height // 10, width - width // 10, height - height // 10))
    brighter = ImageEnhance.Brightness(cropped).enhance(1.2)
    smaller = brighter.resize((brighter.width // 2, brighter.height // 2), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    smaller.save(buffer, "JPEG", quality=60)
    return Image.open(buffer).convert("RGB")


def same_shot(found: dict, shot: dict) -> bool:
    """The shot itself, or its copy in the trailer (cut from the film's start: same index, same time)."""
    key = ("title_id", "source_id", "shot_index")
    if [found[k] for k in key] == [shot[k] for k in key]:
        return True
    copy = {found["title_id"], shot["title_id"]} == {"bikes", "trailer"}
    return copy and found["shot_index"] == shot["shot_index"] and abs(found["start_s"] - shot["start_s"]) < 0.05


def test_reverse_image_search_finds_a_shot_from_an_altered_copy_of_its_keyframe(lake, tmp_path):
    lake, _ = lake
    shots = lake.table(SHOT_EMBEDDINGS, where="title_id IN ('bikes', 'cards', 'studio-edits', 'trailer')").to_pylist()
    hits = []
    for shot in shots:
        with lake.open(shot["keyframe_uri"]) as path:
            query = tmp_path / "query.jpg"
            altered(Image.open(path).convert("RGB")).save(query)
        [best] = lake.search(image=query, k=1).to_pylist()
        hits.append(same_shot(best, shot))
    assert len(shots) >= 17 and sum(hits) >= 0.95 * len(shots), hits


def test_shots_like_a_shot_exclude_it_and_name_their_lists(lake, capsys):
    lake_, _ = lake
    first = lake_.table(SHOT_EMBEDDINGS, title="bikes").to_pylist()[0]
    found = search_json(capsys, "--like", f"bikes/{first['source_id']}/{first['shot_index']}", "-k", "5")
    assert len(found) == 5 and all((r["title_id"], r["shot_index"]) != ("bikes", first["shot_index"]) for r in found)
    assert all("like_image" in r["matched_by"] for r in found)
    both = search_json(capsys, "into the storm", "--like", f"bikes/{first['source_id']}/{first['shot_index']}")
    assert {"full_text", "text_vector", "like_image"} <= {name for r in both for name in r["matched_by"]}


def test_bad_searches_fail_with_a_message(lake, capsys):
    capsys.readouterr()
    assert main(["search"]) == 1
    assert main(["search", "--like", "bikes/nope"]) == 1
    assert main(["search", "x", "--where", "no_such_column > 1"]) == 1
    assert "search failed" in capsys.readouterr().err


def indexed(store) -> set[str]:
    return {field for index in open_table(store, SHOT_EMBEDDINGS).list_indices() for field in index["fields"]}


def unindexed(store) -> int:
    dataset = open_table(store, SHOT_EMBEDDINGS)
    return dataset.stats.index_stats("search_text_idx")["num_unindexed_rows"]


def test_title_runs_leave_index_folding_to_maintenance_and_a_lost_index_is_rebuilt(lake):
    lake_, project = lake
    store = LocalStore(project / "data/lake")
    assert indexed(store) == {"search_text", *FILTER_INDICES}
    # The first title built the indices; the later titles' rows are searched unindexed until maintenance.
    assert unindexed(store) > 0
    assert lake_.search("into the storm", k=1).to_pylist()[0]["title_id"] == "cards"
    assert main(["maintain"]) == 0
    assert unindexed(store) == 0
    dataset = open_table(store, SHOT_EMBEDDINGS)
    for index in dataset.list_indices():
        dataset.drop_index(index["name"])
    assert refresh_indices(store) == ["search_text", *FILTER_INDICES]
    for index in open_table(store, SHOT_EMBEDDINGS).list_indices():
        open_table(store, SHOT_EMBEDDINGS).drop_index(index["name"])
    assert indexed(store) == set()
    assert main(["maintain"]) == 0  # the nightly maintenance rebuilds them too
    assert indexed(store) == {"search_text", *FILTER_INDICES}
    lake_.refresh()
    assert lake_.search("into the storm", k=1).to_pylist()[0]["title_id"] == "cards"


def test_every_shot_carries_its_models_and_tags(lake):
    lake, _ = lake
    rows = lake.table(SHOT_EMBEDDINGS).to_pylist()
    assert {r["image_model"].split("@")[0] for r in rows} == {"efficientnet-lite0"}
    assert {r["text_model"].split("@")[0] for r in rows} == {"all-MiniLM-L6-v2"}
    assert all(len(r["image_vector"]) == 1280 and abs(np.linalg.norm(r["image_vector"]) - 1) < 1e-3 for r in rows)
    assert all(len(r["visual_tags"]) == len(r["tag_probabilities"]) for r in rows)
    taxi = [r for r in rows if r["title_id"] == "bikes" and "taxicab" in r["visual_tags"]]
    assert taxi  # bikes.mp4 shows Italian taxis


def test_an_export_can_leave_out_the_trailers_copies_of_the_films_shots(lake, tmp_path, capsys):
    lake_, _ = lake
    sql = "select title_id, source_id, shot_index from shots where title_id in ('bikes', 'trailer')"
    assert main(["export", "--sql", sql, "--format", "parquet", "--out", str(tmp_path / "all")]) == 0
    out = tmp_path / "unique"
    assert main(["export", "--sql", sql, "--format", "parquet", "--out", str(out), "--drop-near-duplicates"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    exported = pq.read_table(out / manifest["shards"][0]["name"]).to_pylist()
    trailer = lake_.table("shots", title="trailer").num_rows
    assert trailer >= 3 and manifest["near_duplicates"] == {"min_cosine": 0.95, "dropped": trailer}
    assert {r["title_id"] for r in exported} == {"bikes"}
    assert len(exported) == lake_.table("shots", title="bikes").num_rows


def test_the_trailers_shots_are_grouped_with_the_films_across_the_lake(lake, capsys):
    lake_, _ = lake
    groups: dict[str, set] = {}
    for row in lake_.near_duplicates(where="title_id IN ('bikes', 'trailer')").to_pylist():
        groups.setdefault(row["duplicate_group"], set()).add((row["title_id"], row["shot_index"]))
    trailer = lake_.table("shots", title="trailer").num_rows
    assert sorted(groups.values(), key=sorted) == [{("bikes", i), ("trailer", i)} for i in range(trailer)]
    assert all(group.startswith("bikes/") for group in groups)  # the first key names the group
    capsys.readouterr()
    assert main(["duplicates", "--where", "title_id IN ('bikes', 'trailer')", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2 * trailer
    assert main(["duplicates"]) == 0 and "duplicate_group" in capsys.readouterr().out
    assert main(["duplicates", "--min-cosine", "2"]) == 1


@pytest.fixture(scope="module")
def clip_lake(lake, tmp_path_factory):
    """A copy of the lake whose index the tiny CLIP checkpoint rebuilt for two titles, one run each."""
    _, project = lake
    tmp = tmp_path_factory.mktemp("clip")
    checkpoint = tiny_clip_checkpoint(tmp / "checkpoint")
    root = Path(shutil.copytree(project / "data/lake", tmp / "lake"))
    env = {"MEDIA_LAKE_ROOT": str(root), "MEDIA_LANDING_ROOT": str(tmp / "landing")}
    stage = shot_embeddings_asset(f"clip:{checkpoint}")
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(TITLES_PARTITION_NAME, ["bikes", "cards"])
        for title in ("bikes", "cards"):
            result = dg.materialize([stage], partition_key=title, resources=build_resources(env), instance=instance)
            assert result.success
    return Lake(LocalStore(root), image_model=f"clip:{checkpoint}"), checkpoint


def test_a_clip_index_holds_one_models_vectors_and_finds_pictures_by_words(clip_lake):
    lake, checkpoint = clip_lake
    rows = lake.table(SHOT_EMBEDDINGS).to_pylist()
    # The first CLIP run started the index over: no EfficientNet vector is left beside CLIP's.
    assert {r["title_id"] for r in rows} == {"bikes", "cards"}
    assert {r["image_model"] for r in rows} == {clip_model_id(f"clip:{checkpoint}")}
    assert all(len(r["image_vector"]) == PROJECTION_DIM and not r["visual_tags"] for r in rows)
    # Words go through the text tower into the keyframes' space. The film's shots have nothing said, shown
    # or (with no labels) tagged, so that list alone ranks them: exactly as the cosine to the query does.
    query = "a red taxi in the street"
    words = image_encoder(f"clip:{checkpoint}").encode_text([query])[0]
    film = [r for r in rows if r["title_id"] == "bikes"]
    cosines = np.array([r["image_vector"] for r in film]) @ words
    expected = [film[i]["shot_index"] for i in np.argsort(-cosines, kind="stable")]
    found = lake.search(query, where="title_id = 'bikes'", k=len(film)).to_pylist()
    assert [r["matched_by"] for r in found] == [["text_to_image"]] * len(film)
    assert [r["shot_index"] for r in found] == expected


def test_a_clip_index_finds_a_shot_from_its_keyframe_and_refuses_another_models_queries(clip_lake, tmp_path):
    lake, _ = clip_lake
    query = tmp_path / "keyframe.jpg"
    for shot in lake.table(SHOT_EMBEDDINGS).to_pylist():
        with lake.open(shot["keyframe_uri"]) as path:
            shutil.copy(path, query)
        [best] = lake.search(image=query, k=1).to_pylist()
        assert (best["title_id"], best["shot_index"]) == (shot["title_id"], shot["shot_index"])
    other = Lake(lake.store)  # a deployment that would encode pictures with EfficientNet-Lite0
    with pytest.raises(SearchError, match="MEDIA_SEARCH_IMAGE_MODEL"):
        other.search(image=query, k=1)
