"""One stage per process, so each benchmark row gets its own wall time and peak memory."""

import resource
import sys
import tempfile
from pathlib import Path

from media_pipelines.core.inspect import inspect_file
from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.standardize import standardize
from media_pipelines.lake.originals import store_original
from media_pipelines.lake.store import LocalStore


def ingest(source: Path, workdir: Path) -> None:
    inspection = inspect_file(source, source.name)
    assert inspection.error is None, inspection.error
    store_original(LocalStore(workdir), source, inspection.sha256)


def renditions(source: Path, workdir: Path) -> None:
    result = standardize(source, probe_file(source), RenditionParams(), workdir)
    assert result.qc.loudness is not None and len(result.renditions) == 3


def peak_rss_mb() -> float:
    """The largest of this process and its finished children (ffmpeg), from the kernel's high-water marks."""
    own = next(
        int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


STAGES = {"ingest": ingest, "renditions": renditions}

if __name__ == "__main__":
    stage, source = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix=f"bench-{stage}-") as workdir:
        STAGES[stage](Path(source), Path(workdir))
    print(f"peak_rss_mb={peak_rss_mb():.1f}")
