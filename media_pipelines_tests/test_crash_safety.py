"""`media-lake run` killed with SIGKILL of its whole process group (a machine dying, a user giving up) during
ingest, renditions and a later stage, on the project's own dagster.yaml: readers never see a half-written
table, the next run starts and finishes on its own, leaves no temp file and writes a clean run's tables."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from media_pipelines.lake.query import table_names
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import open_table, read_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts

REPO = Path(__file__).resolve().parents[1]
TITLE = "reel"
RUN_TIMEOUT_S = 240


def media_lake_run(project: Path, **popen) -> subprocess.Popen:
    command = [sys.executable, "-m", "media_pipelines.cli", "run"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_HOME", "MEDIA_"))}
    return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)


def new_project(root: Path, delivery: list[Path]) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", root / "dagster.yaml")
    title = root / "data/landing" / TITLE
    title.mkdir(parents=True)
    for path in delivery:
        shutil.copy(path, title / path.name)
    return root


def finish(process: subprocess.Popen) -> str:
    out, _ = process.communicate(timeout=RUN_TIMEOUT_S)
    assert process.returncode == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


def tables(project: Path) -> dict[str, list[dict]]:
    """Every table's rows, read as any reader would: the committed version of each whole table."""
    store = LocalStore(project / "data/lake")
    return {name: read_title_table(store, name, TITLE).to_pylist() for name in table_names(store)}


def hidden_files(project: Path) -> list[str]:
    """Our own temporary files. Inside a table's dataset, a commit killed mid-write can leave Lance's own
    temporary file: no reader lists it, as no version's manifest names it."""
    found = (p for p in (project / "data/lake").rglob(".*") if not any(q.suffix == ".lance" for q in p.parents))
    return sorted(str(p.relative_to(project)) for p in found)


def ffmpeg_rendering(project: Path) -> bool:
    """An ffmpeg child is rendering one of this project's originals."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ffmpeg" in cmdline and str(project.resolve()).encode() + b"/data/lake/originals" in cmdline:
                return True
    return False


def renditions_written(project: Path) -> bool:
    table = open_table(LocalStore(project / "data/lake"), "renditions")
    return table is not None and table.count_rows() > 0


def ingest_started(project: Path) -> bool:
    return (project / "data/lake/originals").exists()


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "ingest": ingest_started,
    "renditions": ffmpeg_rendering,
    "later stage": renditions_written,
}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("delivery")
    spec = ClipSpec(shots=shots_with_cuts([6.0, 5.0]), width=960, height=540, audio=jfk_audio())
    return [make_clip(spec, folder / "reel.mp4").path, jfk_audio()]


@pytest.fixture(scope="module")
def clean_tables(tmp_path_factory, delivery) -> dict[str, list[dict]]:
    project = new_project(tmp_path_factory.mktemp("clean") / "project", delivery)
    finish(media_lake_run(project))
    return tables(project)


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_run_killed_at_any_stage_is_finished_cleanly_by_the_next(tmp_path, delivery, clean_tables, point):
    project = new_project(tmp_path / "project", delivery)
    killed = media_lake_run(project, start_new_session=True)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not KILL_POINTS[point](project) and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert killed.poll() is None, f"the run ended before the {point} kill point"
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()

    tables(project)  # every committed table reads whole

    out = finish(media_lake_run(project))
    assert "ok" in out.splitlines()[-1] or f"{TITLE} " in out
    assert hidden_files(project) == []
    assert tables(project) == clean_tables
