"""`media-lake ui`: `dagster dev` on the instance the CLI uses, so UI, daemon and CLI runs share one storage."""

import os
import sys
from pathlib import Path
from typing import NoReturn

from media_pipelines.instance import instance_home


def open_ui(host: str, port: int) -> NoReturn:
    """Replaces this process with `dagster dev`. Without DAGSTER_HOME, `dagster dev` would run on a
    temporary instance it deletes on exit; here DAGSTER_HOME is the CLI's own instance folder."""
    env = {**os.environ, "DAGSTER_HOME": str(instance_home().resolve())}
    code = ["-w", "workspace.yaml"] if Path("workspace.yaml").is_file() else ["-m", "media_pipelines.definitions"]
    command = [sys.executable, "-m", "dagster", "dev", "--host", host, "--port", str(port), *code]
    print(f"dagster dev on the instance in {env['DAGSTER_HOME']}: http://{host}:{port}", flush=True)
    os.execve(sys.executable, command, env)
