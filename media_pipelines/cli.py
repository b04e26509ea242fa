"""`media-lake`: run the title pipeline, stage and run the demo titles, query the lake, export training shards."""

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus

from media_pipelines.core.titles import InvalidTitleIdError, validate_title_id
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.backfills import UnknownTitlesError, plan_backfills, submit_backfill
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines.defs.metadata import SUMMARY
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.reconcile import Need
from media_pipelines.export.export import MANIFEST, export_shots
from media_pipelines.export.samples import ExportQueryError
from media_pipelines.export.shards import WRITERS
from media_pipelines.instance import open_instance
from media_pipelines.lake.landing import scan_landing
from media_pipelines.lake.query import connect
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

    known = set(instance.get_dynamic_partitions(titles_partitions.name))
    instance.add_dynamic_partitions(titles_partitions.name, [t for t in targets if t not in known])
    job = defs.resolve_job_def(TITLE_JOB_NAME)
    for title_id in targets:
        result = job.execute_in_process(
            partition_key=title_id, instance=instance, raise_on_error=False, run_config=_QUIET_RUN_CONFIG
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


def _report(outcomes: list[TitleOutcome]) -> int:
    for outcome in outcomes:
        print(outcome.line())
    failed = [o.title_id for o in outcomes if not o.ok]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _query(store: ObjectStore, sql: str, output: str) -> int:
    try:
        result = connect(store).sql(sql)
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    table = result.fetch_arrow_table()
    if output == "json":
        print(json.dumps(table.to_pylist(), default=str, indent=1))
    elif output == "csv":
        buffer = io.BytesIO()
        pa_csv.write_csv(_flat(table), buffer)
        print(buffer.getvalue().decode(), end="")
    else:
        print(result)
    return 0


def _flat(table: pa.Table) -> pa.Table:
    """CSV has no lists or structs: nested values are written as JSON text."""
    for index, field in enumerate(table.schema):
        if pa.types.is_nested(field.type):
            values = [None if v is None else json.dumps(v, default=str) for v in table.column(index).to_pylist()]
            table = table.set_column(index, field.name, pa.array(values, pa.string()))
    return table


def _backfill(defs: dg.Definitions, instance: dg.DagsterInstance, args: argparse.Namespace) -> int:
    need = Need.FAILED if args.failed else Need.STALE if args.stale else None
    reason = str(need) if need else "titles" if args.titles else "all"
    asset_graph = defs.resolve_asset_graph()
    try:
        plans = plan_backfills(instance, asset_graph, args.titles, need)
    except UnknownTitlesError as exc:
        print(f"backfill refused: {exc}", file=sys.stderr)
        return 1
    if not plans:
        print(f"nothing to backfill ({reason})")
        return 0
    submitted = []
    for assets, titles in plans.items():
        backfill_id = submit_backfill(instance, asset_graph, assets, titles, reason)
        submitted.append(backfill_id)
        names = ", ".join(k.to_user_string() for k in assets)
        print(
            f"backfill {backfill_id}: {len(titles)} titles ({', '.join(titles[:10])}{' ...' if len(titles) > 10 else ''}); {names}"
        )
    print("The daemon runs it (dagster dev, or dagster-daemon run); progress in the UI under Runs > Backfills.")
    return _wait_for_backfills(instance, submitted) if args.wait else 0


def _wait_for_backfills(instance: dg.DagsterInstance, backfill_ids: list[str], poll_s: float = 2.0) -> int:
    pending, failed = set(backfill_ids), []
    while pending:
        for backfill_id in sorted(pending):
            status = instance.get_backfill(backfill_id).status
            if status in BULK_ACTION_TERMINAL_STATUSES:
                print(f"backfill {backfill_id}: {status.value}")
                pending.discard(backfill_id)
                if status != BulkActionStatus.COMPLETED_SUCCESS:
                    failed.append(backfill_id)
        if pending:
            time.sleep(poll_s)
    return 1 if failed else 0


def _export(store: ObjectStore, args: argparse.Namespace) -> int:
    try:
        manifest = export_shots(store, args.sql, args.format, args.out, args.shard_size, args.clips)
    except (ExportQueryError, FileExistsError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    print(f"{manifest['samples']} samples in {len(manifest['shards'])} {args.format} shards: {args.out}")
    print(f"manifest: {args.out / MANIFEST} ({len(manifest['sources'])} sources)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="media-lake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the title pipeline for landing titles (all by default)")
    run.add_argument("--title", action="append", dest="titles", metavar="ID", help="a title id; repeatable")
    commands.add_parser("demo", help="put sample titles into the landing zone and run the pipeline for them")
    query = commands.add_parser("query", help="run SQL over every lake table (one DuckDB view per table)")
    query.add_argument("sql")
    query.add_argument("--format", choices=["table", "json", "csv"], default="table")
    export = commands.add_parser("export", help="write training shards of the shots a query selects")
    export.add_argument("--sql", required=True, help="a query returning title_id, source_id, shot_index per sample")
    export.add_argument("--format", choices=sorted(WRITERS), default="webdataset")
    export.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    export.add_argument("--shard-size", type=int, default=1000, help="samples per shard")
    export.add_argument("--clips", action="store_true", help="include each shot's mezzanine clip (mp4)")
    backfill = commands.add_parser("backfill", help="submit an asset backfill by title; the daemon runs it")
    which = backfill.add_mutually_exclusive_group(required=True)
    which.add_argument("--titles", type=lambda v: [t for t in v.split(",") if t], help="comma-separated title ids")
    which.add_argument("--all", action="store_true", help="every registered title")
    which.add_argument("--failed", action="store_true", help="titles with a failed stage: that stage and below")
    which.add_argument("--stale", action="store_true", help="titles with a stale stage: that stage and below")
    backfill.add_argument("--wait", action="store_true", help="wait for the daemon to finish the backfill")
    args = parser.parse_args(argv)

    defs = build_definitions()
    if args.command == "query":
        return _query(defs.resources["lake"].store(), args.sql, args.format)
    if args.command == "export":
        return _export(defs.resources["lake"].store(), args)
    with open_instance() as instance:
        if args.command == "backfill":
            return _backfill(defs, instance, args)
        if args.command == "run":
            return _report(run_titles(defs, instance, args.titles))
        landing = defs.resources["landing"].store()
        with tempfile.TemporaryDirectory(prefix="media-lake-demo-") as workdir:
            titles = stage_demo(landing, Path(workdir))
        print(f"Landing zone {landing.uri}:")
        for title in titles:
            print(f"  {title.title_id:<22} {title.description}")
        outcomes = run_titles(defs, instance, [t.title_id for t in titles])
        print()
        status = _report(outcomes)
        print(f"\nLake: {defs.resources['lake'].store().uri}")
        print("Open the UI on the same instance: dagster dev -w workspace.yaml  (then http://127.0.0.1:3000)")
        return status


if __name__ == "__main__":
    sys.exit(main())
