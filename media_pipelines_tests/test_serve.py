"""The read-only API (`media-lake serve`) over the demo lake, through a real uvicorn server on loopback:
titles, shots, a shot in full, search, clips with range requests, subtitles, bounded SQL, the refusal of
every way out of the lake's media folder, the bearer token, and a property-based fuzz of the OpenAPI spec."""

import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import av
import pytest

from media_pipelines.cli import main
from media_pipelines.lake.media_table import MEDIA_TABLE, TITLE_SUMMARY
from media_pipelines.lake.search import SHOT_EMBEDDINGS
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import write_titles
from media_pipelines.query import Lake, connect_lake
from media_pipelines.serve.api import create_app
from media_pipelines.serve.files import ClipCache
from media_pipelines.serve.lake_reads import DEFAULT_SQL_LIMITS, LakeReads, ShotFilters, SqlLimits
from media_pipelines_tests.conftest import REPO, free_port

TOKEN = "s3cret-token"
ASK_NOT = "ask not what your country can do for you"


class Server:
    """uvicorn in a thread, serving an app on a free loopback port."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_):
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str, status: int = 200, headers: dict | None = None):
        code, _, body = self.get(path, headers)
        assert code == status, body
        return json.loads(body)


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("serve")
    shutil.copy(REPO / "dagster.yaml", project / "dagster.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        for name in ("DAGSTER_HOME", "MEDIA_LANDING_ROOT", "MEDIA_LAKE_ROOT", "MEDIA_S3_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        assert main(["demo"]) == 0
    return project / "data" / "lake"


def _app(lake_root: Path, tmp: Path, token: str | None = None, limits: SqlLimits = DEFAULT_SQL_LIMITS):
    reads = LakeReads(lambda: Lake(LocalStore(lake_root)))
    return create_app(reads, token, ClipCache(tmp / "clips"), limits)


@pytest.fixture(scope="module")
def api(demo_lake, tmp_path_factory):
    limits = SqlLimits(max_rows=5, timeout_s=1.0)
    with Server(_app(demo_lake, tmp_path_factory.mktemp("api"), limits=limits)) as server:
        yield server


def _jfk_shot(api) -> dict:
    (shot,) = api.json("/api/shots?title=jfk")["shots"]
    return shot


def test_titles_and_a_title_with_its_contact_sheets(api):
    titles = {t["title_id"]: t for t in api.json("/api/titles")["titles"]}
    assert set(titles) == {"bikes", "jfk", "studio-edits"}
    assert all(t["qc_status"] and t["shot_count"] >= 1 for t in titles.values())
    bikes = api.json("/api/titles/bikes")
    assert {r["kind"] for r in bikes["renditions"]} >= {"mezzanine", "proxy"}
    for key in [*bikes["contact_sheets"].values(), bikes["timeline_uri"]]:
        status, headers, body = api.get(f"/media/{key}")
        assert status == 200 and headers["content-type"].startswith("image/") and len(body) > 1000
    assert api.json("/api/titles/nothing-here", status=404)["error"]


def test_shots_filter_and_one_shot_in_full(api):
    spoken = api.json("/api/shots?speech=true")["shots"]
    assert spoken and all(s["word_count"] > 0 for s in spoken)
    silent = api.json("/api/shots?title=bikes&speech=false")["shots"]
    assert len(silent) == 6 and all(s["word_count"] == 0 for s in silent)
    fades = api.json("/api/shots?transition=fade")["shots"]
    assert [s["title_id"] for s in fades] == ["studio-edits"]
    by_words = api.json("/api/shots?" + urllib.parse.urlencode({"text": "ASK NOT"}))["shots"]
    assert {s["title_id"] for s in by_words} >= {"jfk"}
    jfk = _jfk_shot(api)
    shot = api.json(f"/api/titles/jfk/shots/{jfk['source_id']}/{jfk['shot_index']}")
    assert "ask not what your country" in shot["transcript_text"].lower()
    assert [w["word"].strip(" ,.").lower() for w in shot["words"]][:3] == ["and", "so", "my"]
    assert len(shot["cues"]) == 3 and shot["code_version"] and shot["source_sha256"]
    assert api.json(f"/api/titles/jfk/shots/{jfk['source_id']}/999", status=404)["error"]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"speech": "true"},
        {"speech": "false", "transition": "cut"},
        {"transition": "fade"},
        {"min_music_share": 0.0},
        {"min_music_share": 0.0, "speech": "false"},
        {"qc_status": "ok"},
        {"qc_status": "warning", "speech": "true"},
        {"text": "ASK NOT"},
        {"text": "country"},
        {"text": "100%_\\"},  # SQL's wildcards and its escape, taken literally: no shot says them
        {"text": "a", "limit": 2, "offset": 1},
    ],
)
def test_a_titles_shots_filtered_in_arrow_are_the_lake_wide_querys_rows_of_that_title(api, filters):
    params = {"limit": 100, **filters}
    everywhere = api.json("/api/shots?" + urllib.parse.urlencode({**params, "limit": 500, "offset": 0}))["shots"]
    for title in ("bikes", "jfk", "studio-edits"):
        expected = [s for s in everywhere if s["title_id"] == title]
        expected = expected[params.get("offset", 0) :][: params["limit"]]
        assert api.json("/api/shots?" + urllib.parse.urlencode({**params, "title": title}))["shots"] == expected


def test_search_finds_the_spoken_line_within_a_filter(api):
    found = api.json("/api/search?" + urllib.parse.urlencode({"q": ASK_NOT, "k": 5}))["shots"]
    assert found[0]["title_id"] == "jfk"
    only = api.json("/api/search?" + urllib.parse.urlencode({"q": ASK_NOT, "title": "bikes"}))["shots"]
    assert only and {s["title_id"] for s in only} == {"bikes"}
    verdicts = {t["title_id"]: t["qc_status"] for t in api.json("/api/titles")["titles"]}
    for verdict in set(verdicts.values()):
        query = urllib.parse.urlencode({"q": ASK_NOT, "qc_status": verdict})
        found = {s["title_id"] for s in api.json("/api/search?" + query)["shots"]}
        assert found and found <= {t for t, v in verdicts.items() if v == verdict}
    assert api.json("/api/search?" + urllib.parse.urlencode({"q": ASK_NOT, "qc_status": "none"}))["shots"] == []
    assert "search by" in api.json("/api/search", status=400)["error"]
    assert "invalid title id" in api.json("/api/search?like=Not%20A%20Title/x/1", status=400)["error"]


def test_a_shots_clip_starts_on_the_shot_and_answers_range_requests(api, tmp_path):
    bikes = api.json("/api/shots?title=bikes")["shots"]
    shot = bikes[2]
    path = f"/api/titles/bikes/shots/{shot['source_id']}/{shot['shot_index']}/clip.mp4"
    status, headers, body = api.get(path)
    assert status == 200 and headers["content-type"] == "video/mp4"
    (tmp_path / "clip.mp4").write_bytes(body)
    with av.open(str(tmp_path / "clip.mp4")) as container:
        stream = container.streams.video[0]
        frames = [f for f in container.decode(stream)]
    fps = float(stream.average_rate)
    assert frames[0].time == pytest.approx(0, abs=0.5 / fps)
    assert len(frames) == pytest.approx(shot["duration_s"] * fps, abs=1.5)
    status, headers, part = api.get(path, {"Range": "bytes=100-199"})
    assert status == 206 and part == body[100:200]
    assert headers["content-range"] == f"bytes 100-199/{len(body)}"


def test_the_clip_cache_keeps_the_clips_watched_last_within_its_bound(demo_lake, tmp_path):
    reads = LakeReads(lambda: Lake(LocalStore(demo_lake)))
    shots = reads.shots("bikes", ShotFilters(), limit=3, offset=0)
    paths = [f"/api/titles/bikes/shots/{s['source_id']}/{s['shot_index']}/clip.mp4" for s in shots]
    temporary = ClipCache.in_temporary_folder()
    with Server(create_app(reads, None, temporary)) as server:
        first, second, third = (server.get(path)[2] for path in paths)
        assert len(list(temporary.folder.glob("*.mp4"))) == 3
    assert not temporary.folder.exists()  # a temporary cache goes with its server

    def kept(folder: Path) -> set[bytes]:
        return {clip.read_bytes() for clip in folder.glob("*.mp4")}

    bounded = ClipCache(tmp_path / "clips", max_bytes=len(first) + len(second) + len(third) - 1)
    with Server(create_app(reads, None, bounded)) as server:
        for path in (paths[0], paths[1], paths[0], paths[2]):  # the second shot is now watched longest ago
            assert server.get(path)[0] == 200
        assert kept(bounded.folder) == {first, third}
        assert server.get(paths[1])[2] == second  # cut again, the same clip, and now the first is oldest
        assert kept(bounded.folder) == {third, second}
    assert kept(bounded.folder) == {third, second}  # a cache folder that was given stays

    (bounded.folder / ".unfinished.mp4.part.mp4").write_bytes(b"a cut killed half way")
    reopened = ClipCache(bounded.folder, max_bytes=len(third))
    assert not list(bounded.folder.glob(".*"))
    with Server(create_app(reads, None, reopened)) as server:
        server.get(paths[2])
        assert kept(bounded.folder) == {third}  # the clips from before counted towards the bound
        for clip in bounded.folder.glob("*.mp4"):
            clip.unlink()  # as a cleaner of temporary folders would
        assert server.get(paths[2])[:3:2] == (200, third)  # cut again
        assert kept(bounded.folder) == {third}


def test_subtitles_are_on_the_clips_clock(api):
    jfk = _jfk_shot(api)
    status, headers, body = api.get(f"/api/titles/jfk/shots/{jfk['source_id']}/{jfk['shot_index']}/subtitles.vtt")
    text = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/vtt")
    assert text.startswith("WEBVTT") and "ask not what your country can do for you," in text
    assert "00:00:00.330 --> " in text  # the first line starts 0.33 s into the title's only shot


def test_nothing_outside_the_lakes_media_is_served(api, demo_lake):
    (demo_lake / "media" / "bikes" / "escape.jpg").symlink_to("/etc/hostname")
    keyframe = _jfk_shot(api)["keyframe_uri"]
    for path in (
        "/media/../tables/shots.lance/_versions/1.manifest",
        "/media/media/%2e%2e/%2e%2e/tables/shots.lance",
        "/media/media/bikes/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.jpg",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fhostname.jpg",
        "/media/originals/" + keyframe,
        "/media/media/bikes/escape.jpg",
        "/media/" + keyframe.replace(".jpg", ".lance"),
    ):
        status, headers, body = api.get(path)
        assert status in (404, 400), (path, status)
        assert headers["content-type"] == "application/json" and b"Traceback" not in body, path
    assert api.get("/media/" + keyframe)[0] == 200


def test_sql_is_one_bounded_select(api):
    answer = api.json(
        "/api/sql?" + urllib.parse.urlencode({"q": "select title_id, shot_index from shots order by 1, 2"})
    )
    assert answer["columns"] == ["title_id", "shot_index"] and len(answer["rows"]) == 5 and answer["truncated"]
    for refused in (
        "create table x as select 1",
        "copy shots to '/tmp/x.csv'",
        "select * from read_csv('/etc/passwd')",
        "select 1; select 2",
        "set enable_external_access = true",
        "attach '/tmp/x.db'",
    ):
        assert api.json("/api/sql?" + urllib.parse.urlencode({"q": refused}), status=400)["error"], refused
    slow = "select count(*) from range(100000000000) a"
    assert "ran past" in api.json("/api/sql?" + urllib.parse.urlencode({"q": slow}), status=400)["error"]


def test_a_token_guards_every_route(demo_lake, tmp_path):
    with Server(_app(demo_lake, tmp_path, token=TOKEN)) as server:
        for path in ("/api/titles", "/api/sql?q=select+1", "/media/x.jpg"):
            assert server.json(path, status=401)["error"]
        assert server.json("/api/titles", headers={"Authorization": f"Bearer {TOKEN}"})["titles"]
        assert server.json("/api/titles", headers={"Authorization": "Bearer wrong"}, status=401)
        assert server.json("/api/titles", headers={"Cookie": f"media_lake_token={TOKEN}"})["titles"]


def test_the_api_fuzzed_against_its_openapi_spec_never_fails_or_leaves_the_lake(api):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{api.base}/openapi.json")
    failures = []
    max_examples = int(os.environ.get("MEDIA_FUZZ_EXAMPLES", "25"))

    for operation in schema.get_all_operations():
        operation = operation.ok()

        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=api.base, timeout=60)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:200]))
            assert "Traceback" not in response.text
            if case.path == "/media/{key}" and response.status_code == 200:
                parts = case.path_parameters["key"].split("/")
                assert parts[0] == "media" and ".." not in parts

        check()
    assert not failures, failures


def test_the_shot_browser_finds_a_spoken_line_and_plays_its_shot_in_chromium(api):
    from playwright.sync_api import expect, sync_playwright

    from media_pipelines_tests.chromium import chromium_page

    screenshots = os.environ.get("MEDIA_UI_SCREENSHOTS")
    with sync_playwright() as playwright:
        page = chromium_page(playwright)
        page.goto(api.base)
        cards = page.locator(".shot")
        expect(cards).to_have_count(len(api.json("/api/shots")["shots"]))
        loaded = "imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length"
        page.wait_for_function(f"({loaded})([...document.querySelectorAll('.shot img')]) >= 3")
        page.keyboard.press("/")
        page.keyboard.type(ASK_NOT)
        page.keyboard.press("Enter")
        expect(page.locator("#status")).to_contain_text("for “")
        expect(cards.first).to_have_attribute("data-title", "jfk")
        if screenshots:
            page.screenshot(path=str(Path(screenshots, "browser-search.png")))
        cards.first.focus()
        page.keyboard.press("Enter")
        video = page.locator("#video")
        expect(video).to_have_attribute("src", "/api/titles/jfk/shots/" + _jfk_shot(api)["source_id"] + "/0/clip.mp4")
        # Playing from the clip's first frame: time runs from 0, over the shot's length, with its subtitles.
        page.wait_for_function("document.getElementById('video').currentTime > 0.5")
        duration = video.evaluate("v => v.duration")
        assert duration == pytest.approx(_jfk_shot(api)["duration_s"], abs=0.2)
        page.wait_for_function("(document.getElementById('video').textTracks[0].cues || []).length === 3")
        expect(page.locator("#transcript")).to_contain_text("country")
        if screenshots:
            page.screenshot(path=str(Path(screenshots, "browser-shot.png")))
        page.keyboard.press("Escape")
        expect(page.locator("#player")).not_to_have_attribute("open", "")
        page.locator("#shot-heading a").evaluate("a => a.click()")  # the title page, from the shot's heading
        for picture in ("jfk timeline", f"{_jfk_shot(api)['source_id']} contact sheet"):
            expect(page.get_by_alt_text(picture)).to_be_visible()
            page.wait_for_function(f"document.querySelector('img[alt=\"{picture}\"]').naturalWidth > 0")
        expect(page.locator("#title-page")).to_contain_text("qc_status")
        expect(cards).to_have_count(1)  # the grid now lists the title's shots
        if screenshots:
            page.screenshot(path=str(Path(screenshots, "browser-title.png")), full_page=True)
        page.context.browser.close()


def test_a_bounded_load_of_concurrent_clients_gets_no_errors(api):
    from media_pipelines.serve.load import load_test

    shots = api.json("/api/shots")["shots"]
    pages = {
        "shot": [f"/api/titles/{s['title_id']}/shots/{s['source_id']}/{s['shot_index']}" for s in shots],
        "search": ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in (ASK_NOT, "bikes in a street")],
        "titles": ["/api/titles"],
    }
    results = load_test(api.base, pages, clients=8, duration_s=3)
    assert [r.name for r in results] == list(pages)
    for result in results:
        assert result.requests >= 2 and result.errors == 0, result
        assert result.p50_ms <= result.p95_ms <= result.p99_ms


def test_a_shot_page_and_the_title_list_show_a_title_rewritten_after_it_was_read(demo_lake, tmp_path):
    """The rows kept for browsed titles, and the title list, belong to a table version: a run's commit
    replaces them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    root = tmp_path / "lake"
    shutil.copytree(demo_lake, root)
    reads = LakeReads(lambda: Lake(LocalStore(root)), refresh_s=0)
    (shot,) = reads.shots("jfk", ShotFilters(), 10, 0)
    before = reads.shot("jfk", shot["source_id"], shot["shot_index"])
    assert ASK_NOT in before["transcript_text"].lower()
    rows = reads.lake.datasets[MEDIA_TABLE].to_table(filter="title_id = 'jfk'").drop_columns("title_id")
    rows = rows.set_column(
        rows.schema.get_field_index("transcript_text"), "transcript_text", pc.utf8_upper(rows["transcript_text"])
    )
    write_titles(LocalStore(root), MEDIA_TABLE, {"jfk": rows})
    after = reads.shot("jfk", shot["source_id"], shot["shot_index"])
    assert after["transcript_text"] == before["transcript_text"].upper()
    assert reads.shots("jfk", ShotFilters(), 10, 0)[0]["transcript_text"] == after["transcript_text"]
    assert after["words"] == before["words"]

    listed = {t["title_id"]: t for t in reads.titles(10, 0)}
    summary = reads.lake.datasets[TITLE_SUMMARY].to_table(filter="title_id = 'jfk'").drop_columns("title_id")
    verdict = "failed" if listed["jfk"]["qc_status"] != "failed" else "ok"
    summary = summary.set_column(summary.schema.get_field_index("qc_status"), "qc_status", pa.array([verdict]))
    write_titles(LocalStore(root), TITLE_SUMMARY, {"jfk": summary})
    relisted = {t["title_id"]: t for t in reads.titles(10, 0)}
    assert relisted["jfk"]["qc_status"] == verdict
    assert relisted["bikes"] == listed["bikes"]


def test_the_server_runs_as_many_requests_at_once_as_it_is_given_threads(demo_lake):
    import anyio

    app = create_app(LakeReads(lambda: Lake(LocalStore(demo_lake))), request_threads=3)

    async def started() -> int:
        async with app.router.lifespan_context(app):
            return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(started) == 3


def test_a_slow_query_does_not_hold_the_page_requests(demo_lake, tmp_path):
    """SQL (and clip cuts) run on threads of their own: with one page thread, a page still answers while
    a query runs to its time limit."""
    reads = LakeReads(lambda: Lake(LocalStore(demo_lake)))
    app = create_app(reads, None, ClipCache(tmp_path), SqlLimits(timeout_s=3.0), request_threads=1)
    endless = "/api/sql?" + urllib.parse.urlencode({"q": "select count(*) from range(100000000000) t(a)"})
    with Server(app) as server:
        server.json("/api/titles")
        done = []
        query = threading.Thread(target=lambda: done.append(server.get(endless)[0]))
        query.start()
        time.sleep(0.5)
        assert server.json("/api/titles")["titles"] and not done  # answered while the query still runs
        query.join()
        assert done == [400]


def test_warm_up_loads_the_search_index_and_models_and_snapshots_keep_them(demo_lake):
    import lance

    from media_pipelines.core.search import text

    text.query_encoder.cache_clear()
    session = lance.Session()
    reads = LakeReads(lambda: Lake(LocalStore(demo_lake), session=session), refresh_s=0)
    empty = session.size_bytes()
    reads.warm_up()
    assert text.query_encoder.cache_info().currsize == 1
    loaded = session.size_bytes()
    assert loaded > empty
    first, later = reads.lake, reads.lake  # a new snapshot at every read here
    assert first is not later and later.datasets[SHOT_EMBEDDINGS].session().is_same_as(session)
    later.load_search_index()
    assert session.size_bytes() == loaded  # the later snapshot found its index loaded already
    later.refresh()
    assert later.datasets[SHOT_EMBEDDINGS].session().is_same_as(session)


def test_on_s3_the_api_serves_rows_and_media_and_refuses_the_rest(s3_endpoint, tmp_path):
    from media_pipelines.serve.server import app_from_env
    from media_pipelines_tests.test_data_api import fill

    env = {"MEDIA_LAKE_ROOT": "s3://lake/prod", "MEDIA_S3_ENDPOINT_URL": s3_endpoint}
    app = app_from_env(env, clip_folder=tmp_path / "clips")
    lake = connect_lake(env)
    lake.store.client.create_bucket(Bucket="lake")
    fill(lake.store)
    lake.store.put_bytes(b"not for clients", "tables/secret.jpg")
    lake.store.put_bytes(b"a longer key listed after the key it starts with", "media/beta/shots/k1.jpg.bak")
    assert [lake.store.size(k) for k in ("media/beta/shots/k1.jpg", "media/beta/shots/k1", "media/beta/no.jpg")] == [
        len(b"beta keyframe 1"),
        None,
        None,
    ]
    with Server(app) as server:
        assert server.json("/api/sql?q=select+count(*)+as+n+from+shots")["rows"] == [[5]]
        status, headers, body = server.get("/media/media/beta/shots/k1.jpg")
        assert (status, headers["content-type"], body) == (200, "image/jpeg", b"beta keyframe 1")
        for refused in ("/media/tables/secret.jpg", "/media/media/beta/shots/../../../tables/secret.jpg"):
            assert server.get(refused)[0] == 404, refused
        assert server.get("/media/media/beta/shots/k9.jpg")[0] == 404
