"""A bounded load test of a running API: clients on their own keep-alive connections request paths in
turn for a fixed time; latency percentiles and errors per kind of page."""

import http.client
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class PageLoad:
    name: str
    requests: int
    errors: int  # 5xx, 4xx and failed connections alike: the paths given are all meant to answer 200
    p50_ms: float
    p95_ms: float
    p99_ms: float


def load_test(
    base: str,
    pages: dict[str, Sequence[str]],
    clients: int,
    duration_s: float,
    report_as: Callable[[str, str], str] = lambda kind, path: kind,
) -> list[PageLoad]:
    """`pages`: for each kind of page, the paths its requests cycle through; each client takes the kinds in
    turn, so every kind sees the same concurrency, and starts at its own place in each kind's paths, so
    clients walking a sequence (a title's list, then its shots) are not all on the same page. `report_as`
    names the row a request is counted in (its kind, or for a walk, the page it is)."""
    host = urlsplit(base)
    stop = time.monotonic() + duration_s
    timings: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    rank: dict[str, tuple[int, str]] = {}  # rows in the order of their kinds, then by name
    lock = threading.Lock()
    kinds = list(pages)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        turn = 0
        while time.monotonic() < stop:
            name = kinds[(number + turn) % len(kinds)]
            paths = pages[name]
            path = paths[(number * len(paths) // clients + turn // len(kinds)) % len(paths)]
            turn += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                ok = False
            elapsed = (time.perf_counter() - began) * 1000
            row = report_as(name, path)
            with lock:
                timings.setdefault(row, []).append(elapsed)
                rank.setdefault(row, (kinds.index(name), row))
                errors[row] = errors.get(row, 0) + (not ok)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [_summary(row, timings[row], errors[row]) for row in sorted(timings, key=rank.__getitem__)]


def _summary(name: str, times: list[float], errors: int) -> PageLoad:
    if len(times) < 2:
        return PageLoad(name, len(times), errors, *([times[0]] * 3 if times else [float("nan")] * 3))
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return PageLoad(name, len(times), errors, statistics.median(times), cuts[94], cuts[98])
