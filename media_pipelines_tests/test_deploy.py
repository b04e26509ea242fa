import re
import tomllib
from pathlib import Path

from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster_aws.ecs import EcsRunLauncher
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager

REPO = Path(__file__).resolve().parents[1]


def test_production_instance_config_validates_against_the_schema_and_the_ecs_launcher():
    config, _ = dagster_instance_config(str(REPO / "deploy/aws"))
    assert set(config["storage"]) == {"postgres"}
    launcher, logs = config["run_launcher"], config["compute_logs"]
    assert (launcher["module"], launcher["class"]) == ("dagster_aws.ecs", "EcsRunLauncher")
    checked = validate_config(EcsRunLauncher.config_type(), launcher["config"])
    assert checked.success, checked.errors
    assert {"MEDIA_LANDING_ROOT", "MEDIA_LAKE_ROOT"} <= set(launcher["config"]["env_vars"])
    assert (logs["module"], logs["class"]) == ("dagster_aws.s3.compute_log_manager", "S3ComputeLogManager")
    assert validate_config(S3ComputeLogManager.config_type(), logs["config"]).success
    assert config["run_monitoring"]["max_runtime_seconds"] > 0


def test_dockerfile_copies_what_exists_and_installs_declared_extras():
    dockerfile = (REPO / "Dockerfile").read_text()
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for sources in re.findall(r"^COPY (.+) \S+$", dockerfile, flags=re.MULTILINE):
        assert all((REPO / s).exists() for s in sources.split()), sources
    [wanted] = re.findall(r'pip install --no-cache-dir "\.\[([a-z,]+)\]"', dockerfile)
    assert set(wanted.split(",")) <= set(extras)
