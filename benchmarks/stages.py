"""One stage per process, so each benchmark row gets its own wall time and peak memory."""

import sys
from pathlib import Path

from media_pipelines.core.inspect import inspect_file
from media_pipelines.lake.originals import store_original
from media_pipelines.lake.store import LocalStore


def ingest(source: Path, lake: Path) -> None:
    inspection = inspect_file(source, source.name)
    assert inspection.error is None, inspection.error
    store_original(LocalStore(lake), source, inspection.sha256)


def peak_rss_mb() -> float:
    """This process's own high-water mark; ru_maxrss would include the parent it was forked from."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


STAGES = {"ingest": ingest}

if __name__ == "__main__":
    stage, *paths = sys.argv[1:]
    STAGES[stage](*map(Path, paths))
    print(f"peak_rss_mb={peak_rss_mb():.1f}")
