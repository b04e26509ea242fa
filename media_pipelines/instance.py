"""The persistent local Dagster instance shared by the CLI and `dagster dev`."""

import os
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

DEFAULT_DAGSTER_HOME = Path("data/dagster_home")


def open_instance() -> dg.DagsterInstance:
    """DAGSTER_HOME when set; otherwise ./data/dagster_home configured by ./dagster.yaml, as `dagster dev` does."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    home = DEFAULT_DAGSTER_HOME.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config_dir = Path.cwd() if Path("dagster.yaml").is_file() else home
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), config_dir=str(config_dir)))
