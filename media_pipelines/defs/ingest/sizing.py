"""Bigger ECS tasks for bigger deliveries: run tags the EcsRunLauncher reads (other launchers ignore them)."""

_GB = 1 << 30
# (delivered bytes at least, Fargate vCPU units, MiB): most titles fit the launcher's default task size.
_TIERS = ((20 * _GB, "8192", "32768"), (2 * _GB, "4096", "16384"))


def run_size_tags(delivered_bytes: int) -> dict[str, str]:
    for floor, cpu, memory in _TIERS:
        if delivered_bytes >= floor:
            return {"ecs/cpu": cpu, "ecs/memory": memory}
    return {}
