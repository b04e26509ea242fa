"""The persistent local Dagster instance shared by the CLI and `dagster dev`."""

import os
from pathlib import Path

import dagster as dg

DEFAULT_DAGSTER_HOME = Path("data/dagster_home")


def open_instance() -> dg.DagsterInstance:
    """DAGSTER_HOME when set; else ./dagster.yaml (storage under ./data/dagster_home), as `dagster dev` reads it."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    if Path("dagster.yaml").is_file():
        return dg.DagsterInstance.from_config(str(Path.cwd()))
    home = DEFAULT_DAGSTER_HOME.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.from_config(str(home))
