"""The online API under load, on loopback: `media-lake serve` in its own process over a 10,000-title lake,
and concurrent clients on keep-alive connections for a fixed time (media_pipelines.serve.load).

The lake is lake_scale.py's (per title 150 shots, 150 media-table rows and about 1,000 words, through the
project's own writer, then compacted) plus a title_summary row per title. Two loads: random pages (a shot
in full, with its media-table row, words, cues, on-screen text and annotations, of a random title; a
random title's shot list; the title list), where every title is one the server has not read yet; and
browsing, where each client opens a random title's shot list and then ten of its shots in turn, as a
person does with the shot browser's arrow keys. With --search-lake (a lake search.py kept with --lake), a
second server over it takes hybrid text queries. Each load runs at each client count. Target: shot page
p95 under 100 ms at 10,000 titles.

Usage: python benchmarks/serve.py [--titles 10000] [--clients 1 10 50] [--seconds 30] [--work DIR]
       [--search-lake /tmp/lake15/lake] [--workers 1 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lake_scale import SHOTS_PER_TITLE, TITLES_PER_COMMIT, build, columns, title_id  # noqa: E402
from media_pipelines.lake.maintenance import maintain_lake  # noqa: E402
from media_pipelines.lake.store import LocalStore  # noqa: E402
from media_pipelines.lake.tables import write_titles  # noqa: E402
from media_pipelines.serve.load import load_test  # noqa: E402
from media_pipelines_tests.conftest import free_port  # noqa: E402

# Pages of random titles, more than a run requests, so each is a title the server has not read yet.
PAGE_SAMPLE = 20_000
BROWSED_SHOTS = 10  # a browsing client opens a title's shot list, then this many of its shots in turn
SEARCHES = ("ask not what your country can do for you", "w3 w17", "w1 w250 w999", "a night street", "w42")


def add_summaries(store: LocalStore, titles: int) -> None:
    for first in range(0, titles, TITLES_PER_COMMIT):
        batch = range(first, min(first + TITLES_PER_COMMIT, titles))
        rows = {
            title_id(i): columns("title_summary", {"shot_count": [SHOTS_PER_TITLE], "qc_status": ["ok"]}, 1)
            for i in batch
        }
        write_titles(store, "title_summary", rows)


def serving(root: Path, workers: int, log: Path):
    port = free_port()
    env = {**os.environ, "MEDIA_LAKE_ROOT": str(root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "media_pipelines.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # each worker loads the search index before it answers (15 s at 1.5 M shots)
    while True:
        try:
            urllib.request.urlopen(base + "/openapi.json", timeout=5).read()
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.5)


def report(results, clients: int, seconds: float) -> None:
    print(f"{clients} clients for {seconds:g} s, {sum(r.requests for r in results) / seconds:.0f} requests/s in all:")
    for r in results:
        rate = r.requests / seconds
        print(
            f"  {r.name}: {r.requests} requests ({rate:.0f}/s), errors {r.errors}, "
            f"p50 {r.p50_ms:.1f} ms, p95 {r.p95_ms:.1f} ms, p99 {r.p99_ms:.1f} ms"
        )


def page_of_walk(kind: str, path: str) -> str:
    """A browsing walk's requests are reported by the page they are: its title's shot list, or a shot."""
    if kind != "browsing":
        return kind
    return "browsing: shot page" if "/shots/" in path else "browsing: title's shots"


def run(base: str, pages: dict, clients: int, seconds: float) -> None:
    for paths in pages.values():  # warm-up: first reads open the tables and load the models
        urllib.request.urlopen(base + paths[0], timeout=120).read()
    report(load_test(base, pages, clients, seconds, report_as=page_of_walk), clients, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50], help="concurrent clients, a run each")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--work", type=Path, help="keep the lake here, and reuse it if it is there")
    parser.add_argument("--search-lake", type=Path)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes, one run each")
    args = parser.parse_args()
    root = (args.work or Path(tempfile.mkdtemp(prefix="serve-bench-"))) / f"lake-{args.titles}"
    if not (root / "tables").is_dir():
        started = time.perf_counter()
        build(LocalStore(root), args.titles)
        add_summaries(LocalStore(root), args.titles)
        maintain_lake(LocalStore(root), retention=timedelta(0))
        print(f"lake of {args.titles} titles built and compacted in {time.perf_counter() - started:.0f} s")
    rng = np.random.default_rng(7)
    titles = [title_id(t) for t in rng.integers(0, args.titles, PAGE_SAMPLE)]
    shots = rng.integers(0, SHOTS_PER_TITLE, PAGE_SAMPLE)
    random_pages = {
        "shot page": [f"/api/titles/{t}/shots/{t}-video/{s}" for t, s in zip(titles, shots, strict=True)],
        "title's shots": [f"/api/shots?title={t}&limit=150" for t in reversed(titles)],
        "title list": ["/api/titles?limit=100"],
    }
    browsing = {
        "browsing": [
            path
            for t, first in zip(titles, shots % (SHOTS_PER_TITLE - BROWSED_SHOTS), strict=True)
            for path in [
                f"/api/shots?title={t}&limit=150",
                *(f"/api/titles/{t}/shots/{t}-video/{s}" for s in range(first, first + BROWSED_SHOTS)),
            ]
        ]
    }
    searches = {"search": [f"/api/search?{urlencode({'q': q})}" for q in SEARCHES]}
    loads = [(root, random_pages), (root, browsing), *([(args.search_lake, searches)] if args.search_lake else [])]
    for workers in args.workers:
        for lake, load in loads:
            print(f"{workers} server process(es), {lake}:")
            server, base = serving(lake, workers, root.parent / f"serve-{workers}.log")
            try:
                for clients in args.clients:
                    run(base, load, clients, args.seconds)
            finally:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
