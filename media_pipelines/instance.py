"""The persistent local Dagster instance shared by the CLI and `dagster dev`."""

import os
from pathlib import Path

import dagster as dg

DEFAULT_DAGSTER_HOME = Path("data/dagster_home")


def instance_home() -> Path:
    """DAGSTER_HOME when set; else this folder when it holds dagster.yaml (storage under ./data/dagster_home);
    else ./data/dagster_home."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    if Path("dagster.yaml").is_file():
        return Path.cwd()
    home = DEFAULT_DAGSTER_HOME.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def open_instance() -> dg.DagsterInstance:
    """The instance at `instance_home()`, the one `media-lake ui` opens `dagster dev` on."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.from_config(str(instance_home()))
