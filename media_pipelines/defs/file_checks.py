import dagster as dg


def files_parse_check(check_name: str, errors: list[str]) -> dg.AssetCheckResult:
    """A delivered sidecar file (subtitles, annotations) that cannot be read warns; the title still goes on."""
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=not errors,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"errors": "\n".join(errors) or "none"},
    )
