from pathlib import Path

import dagster as dg
import yaml

from media_pipelines.cli import main
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.backfills import BACKFILL_TAG
from media_pipelines.defs.dagster_private import BulkActionStatus
from media_pipelines.defs.ingest import sizing
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines_tests.conftest import deliver
from media_pipelines_tests.daemon import run_daemon_until_done

TITLES = ["a", "b", "c"]
DEPLOYED = yaml.safe_load((Path(__file__).resolve().parents[1] / "deploy/aws/dagster.yaml").read_text())


def test_a_backfill_over_three_titles_completes_through_the_instance(tmp_path, monkeypatch, media, capsys):
    monkeypatch.setenv("MEDIA_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("MEDIA_LAKE_ROOT", str(tmp_path / "lake"))
    for title in TITLES:
        deliver(tmp_path / "landing", title, media["tone"])
    with dg.instance_for_test(overrides={"run_coordinator": DEPLOYED["run_coordinator"]}) as instance:
        instance.add_dynamic_partitions(titles_partitions.name, TITLES)
        assert main(["backfill", "--titles", "a,b,c"]) == 0
        out = capsys.readouterr().out
        [backfill] = instance.get_backfills()
        assert backfill.backfill_id in out and "3 titles (a, b, c)" in out and backfill.tags[BACKFILL_TAG] == "titles"

        assert run_daemon_until_done(instance, backfill.backfill_id) == BulkActionStatus.COMPLETED_SUCCESS
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
        assert {r.tags["dagster/partition"] for r in runs} == set(TITLES)
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        for title in TITLES:
            assert read_title_table(LocalStore(tmp_path / "lake"), "title_summary", title).num_rows == 1

        assert main(["backfill", "--stale"]) == 0 and "nothing to backfill (stale)" in capsys.readouterr().out
        assert main(["backfill", "--titles", "a,zzz"]) == 1
        assert "not registered titles: zzz" in capsys.readouterr().err


SUBSET = ["shots", "media_table", "title_summary"]


def test_a_backfill_of_some_stages_then_automation_runs_each_stage_once_in_right_sized_runs(
    tmp_path, monkeypatch, media, capsys
):
    """A backfill of a subset of stages, with the automation sensor ticking throughout and after it, as in
    production: each stage of each title materializes once, and every run is sized from its delivery."""
    monkeypatch.setenv("MEDIA_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("MEDIA_LAKE_ROOT", str(tmp_path / "lake"))
    titles = ["a", "b"]
    for title in titles:
        deliver(tmp_path / "landing", title, media["tone"])
    with dg.instance_for_test(overrides={"run_coordinator": DEPLOYED["run_coordinator"]}) as instance:
        assert main(["run"]) == 0  # the titles' first runs, in process
        defs = build_definitions()
        ticks = [dg.evaluate_automation_conditions(defs=defs, instance=instance)]

        def automation_tick() -> None:
            ticks.append(dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=ticks[-1].cursor))

        automation_tick()
        assert not requested(ticks[-1]), "the first runs left nothing for automation"
        below = ["audio_features", "shot_text", "shot_embeddings"]
        before = {key: _materializations(instance, key) for key in [*SUBSET, *below]}
        # Tiny test deliveries count as large here (the coordinator runs in this process).
        monkeypatch.setattr(sizing, "_TIERS", ((1, "4096", "16384"),))
        assert main(["backfill", "--titles", "a,b", "--stages", ",".join(SUBSET)]) == 0
        [backfill] = instance.get_backfills()
        backfill_id, selection = backfill.backfill_id, {k.to_user_string() for k in backfill.asset_selection}
        # audio_features reads shots: left out, automation would run it, then media_table and title_summary again.
        # shot_text reads shots and shot_embeddings reads media_table: both come along too.
        assert selection == {*SUBSET, *below}

        status = run_daemon_until_done(instance, backfill_id, between_iterations=automation_tick)
        assert status == BulkActionStatus.COMPLETED_SUCCESS
        for _ in range(2):
            automation_tick()
        assert [requested(t) for t in ticks if requested(t)] == []
        for key in selection:
            assert _materializations(instance, key) - before[key] == len(titles), key
        assert main(["backfill", "--all", "--stages", "shots,nope"]) == 1
        assert "not title stages: nope" in capsys.readouterr().err
        assert main(["backfill", "--stale", "--stages", "shots"]) == 1
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert {r.tags["dagster/partition"] for r in runs} == set(titles)
        assert all(r.tags.get("ecs/cpu") == "4096" and r.tags.get("ecs/memory") == "16384" for r in runs)


def requested(result) -> dict[str, set[str]]:
    return {r.key.to_user_string(): r.true_subset.size for r in result.results if r.true_subset.size}


def _materializations(instance: dg.DagsterInstance, key: str) -> int:
    return len(instance.fetch_materializations(dg.AssetKey(key), limit=1000).records)
