"""`media-lake`: run the title pipeline, stage and run the demo titles, query and search the lake, export
training shards, and submit backfills."""

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from media_pipelines.core.search import NEAR_DUPLICATE_COSINE
from media_pipelines.export.formats import FORMATS, WEBDATASET


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
    export.add_argument("--format", choices=sorted(FORMATS), default=WEBDATASET)
    export.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    export.add_argument("--shard-size", type=int, default=1000, help="samples per shard")
    export.add_argument("--clips", action="store_true", help="include each shot's mezzanine clip (mp4)")
    export.add_argument(
        "--drop-near-duplicates",
        nargs="?",
        type=float,
        const=NEAR_DUPLICATE_COSINE,
        metavar="COSINE",
        help=f"leave out shots whose keyframe looks like one already exported (cosine, default {NEAR_DUPLICATE_COSINE})",
    )
    export.add_argument(
        "--as-of", metavar="MANIFEST|TIME", help="read the lake as an earlier export's manifest or an ISO time saw it"
    )
    search = commands.add_parser("search", help="find shots by meaning and words, by a shot or by a picture")
    search.add_argument("text", nargs="?", help="what is said, shown or read in the shot")
    search.add_argument("--like", metavar="TITLE/SOURCE/SHOT", help="shots that look and read like this one")
    search.add_argument("--image", type=Path, metavar="FILE", help="shots that look like this picture")
    search.add_argument("--where", metavar="SQL", help='a condition on the index\'s columns, e.g. "duration_s > 2"')
    search.add_argument("-k", type=int, default=20, help="how many shots (default 20)")
    search.add_argument("--format", choices=["table", "json", "csv"], default="table")
    duplicates = commands.add_parser("duplicates", help="shots that look alike across the lake, by group")
    duplicates.add_argument("--min-cosine", type=float, default=NEAR_DUPLICATE_COSINE)
    duplicates.add_argument("--where", metavar="SQL", help="only among these shots (a condition on the index)")
    duplicates.add_argument("--format", choices=["table", "json", "csv"], default="table")
    maintain = commands.add_parser("maintain", help="compact the tables, drop old versions and unreferenced media")
    maintain.add_argument(
        "--retention-days", type=float, help="versions replaced less than this long ago are kept (default 7)"
    )
    ui = commands.add_parser("ui", help="the Dagster UI and daemon (dagster dev) on this lake's persistent instance")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    serve = commands.add_parser(
        "serve", help="the shot browser and a read-only HTTP API over the lake (OpenAPI spec at /openapi.json)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to bind (default loopback only)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="server processes (one uses about one core)")
    backfills = commands.add_parser("backfill", help="submit an asset backfill by title; the daemon runs it")
    which = backfills.add_mutually_exclusive_group(required=True)
    which.add_argument("--titles", type=lambda v: [t for t in v.split(",") if t], help="comma-separated title ids")
    which.add_argument("--all", action="store_true", help="every registered title")
    which.add_argument("--failed", action="store_true", help="titles with a failed stage: that stage and below")
    which.add_argument("--stale", action="store_true", help="titles with a stale stage: that stage and below")
    backfills.add_argument(
        "--stages",
        type=lambda v: [s for s in v.split(",") if s],
        help="comma-separated stages to run, with every stage below them (default: all; not with --failed/--stale)",
    )
    backfills.add_argument("--wait", action="store_true", help="wait for the daemon to finish the backfill")
    args = parser.parse_args(argv)

    if args.command in ("query", "export", "maintain", "search", "duplicates"):
        # Reading the lake needs no Dagster: importing it and building the definitions cost seconds.
        from media_pipelines.cli import lake
        from media_pipelines.lake.roots import lake_store

        if args.command == "query":
            return lake.query(lake_store(), args.sql, args.format)
        if args.command == "search":
            return lake.search(lake_store(), args)
        if args.command == "duplicates":
            return lake.duplicates(lake_store(), args)
        if args.command == "maintain":
            return lake.maintain(lake_store(), args.retention_days)
        return lake.export(lake_store(), args)
    if args.command == "serve":
        from media_pipelines.serve.server import serve

        return serve(args.host, args.port, args.workers)
    if args.command == "ui":
        from media_pipelines.cli.ui import open_ui

        open_ui(args.host, args.port)
    from media_pipelines.cli import backfill, titles
    from media_pipelines.cli.recovery import stop_on_sigterm
    from media_pipelines.definitions import build_definitions
    from media_pipelines.instance import open_instance

    defs = build_definitions()
    with open_instance() as instance, stop_on_sigterm():
        if args.command == "backfill":
            return backfill.backfill(defs, instance, args)
        if args.command == "run":
            return titles.report(titles.run_titles(defs, instance, args.titles))
        landing = defs.resources["landing"].store()
        with tempfile.TemporaryDirectory(prefix="media-lake-demo-") as workdir:
            demo_titles = titles.stage_demo(landing, Path(workdir))
        print(f"Landing zone {landing.uri}:")
        for title in demo_titles:
            print(f"  {title.title_id:<22} {title.description}")
        outcomes = titles.run_titles(defs, instance, [t.title_id for t in demo_titles])
        print()
        status = titles.report(outcomes)
        print(f"\nLake: {defs.resources['lake'].store().uri}")
        print("Open the UI on the same instance: media-lake ui  (then http://127.0.0.1:3000)")
        return status
