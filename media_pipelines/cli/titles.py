"""`media-lake run` and `demo`: titles through the title job in this process, one status line each."""

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from media_pipelines.cli.recovery import process_tags, reclaim_dead_runs
from media_pipelines.core.titles import InvalidTitleIdError, validate_title_id
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines.defs.metadata import SUMMARY
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.landing import scan_landing
from media_pipelines.lake.store import ObjectStore
from media_pipelines.samples.demo import DemoTitle, build_demo_titles

# The CLI prints its own per-title lines; Dagster's event log stays in the instance and the UI.
_QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass(frozen=True)
class TitleOutcome:
    title_id: str
    ok: bool
    detail: str

    def line(self) -> str:
        """Status on the first line; a detail made of '; '-separated parts continues indented below."""
        first, *rest = self.detail.split("; ")
        return "\n".join(
            [f"{self.title_id:<24} {'ok' if self.ok else 'FAILED':<7} {first}", *(f"{'':<33}{r}" for r in rest)]
        )


def run_titles(
    defs: dg.Definitions, instance: dg.DagsterInstance, requested: Sequence[str] | None
) -> list[TitleOutcome]:
    """Register landing titles as partitions and run the title job for each through the instance."""
    scan = scan_landing(defs.resources["landing"].store())
    outcomes: list[TitleOutcome] = []
    if requested:
        targets = []
        for title_id in dict.fromkeys(requested):
            if refusal := _refusal(title_id):
                outcomes.append(TitleOutcome(title_id, False, refusal))
            elif title_id not in scan.titles:
                outcomes.append(TitleOutcome(title_id, False, "no landing folder with files for this title"))
            else:
                targets.append(title_id)
    else:
        targets = sorted(scan.titles)
        outcomes += [
            TitleOutcome(name, False, f"landing folder refused: {_refusal(name)}") for name in scan.invalid_folders
        ]

    for run_id in reclaim_dead_runs(instance):
        print(f"run {run_id[:8]} was left by a media-lake process that is gone: marked failed, its slots freed")
    known = set(instance.get_dynamic_partitions(titles_partitions.name))
    instance.add_dynamic_partitions(titles_partitions.name, [t for t in targets if t not in known])
    job = defs.resolve_job_def(TITLE_JOB_NAME)
    for title_id in targets:
        result = job.execute_in_process(
            partition_key=title_id,
            instance=instance,
            raise_on_error=False,
            run_config=_QUIET_RUN_CONFIG,
            tags=process_tags(),
        )
        outcomes.append(_outcome(title_id, result))
    return outcomes


def _refusal(title_id: str) -> str | None:
    try:
        validate_title_id(title_id)
    except InvalidTitleIdError as exc:
        return str(exc)
    return None


def _outcome(title_id: str, result: dg.ExecuteInProcessResult) -> TitleOutcome:
    if not result.success:
        failures = [e.step_failure_data.error.message.strip() for e in result.all_events if e.is_step_failure]
        return TitleOutcome(title_id, False, f"run {result.run_id[:8]}: {'; '.join(failures) or 'failed'}")
    stages = [
        f"{event.asset_key.to_user_string()}: {event.materialization.metadata[SUMMARY].value}"
        for event in result.get_asset_materialization_events()
    ]
    evaluations = result.get_asset_check_evaluations()
    flagged = sorted(e.check_name for e in evaluations if not e.passed)
    checks = f"checks {len(evaluations) - len(flagged)}/{len(evaluations)} passed" + (
        f" (flagged: {', '.join(flagged)})" if flagged else ""
    )
    return TitleOutcome(title_id, True, "; ".join([f"run {result.run_id[:8]}", *stages, checks]))


def stage_demo(landing: ObjectStore, workdir: Path) -> list[DemoTitle]:
    """Put the demo titles into the landing zone, leaving files already delivered untouched."""
    titles = build_demo_titles(workdir)
    for title in titles:
        for path in title.files:
            key = f"{title.title_id}/{path.name}"
            if not landing.exists(key):
                landing.put_file(path, key)
    return titles


def report(outcomes: list[TitleOutcome]) -> int:
    for outcome in outcomes:
        print(outcome.line())
    failed = [o.title_id for o in outcomes if not o.ok]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
