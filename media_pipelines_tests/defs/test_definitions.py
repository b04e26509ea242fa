import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.config import dagster_instance_config

from media_pipelines.definitions import build_definitions, build_resources, defs
from media_pipelines.defs import groups
from media_pipelines.defs.enrich.summary import STAGES_SHOWN, title_summary
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines.defs.partitions import TITLES_PARTITION_NAME, title_asset_keys
from media_pipelines.lake.catalog import TABLE_SPECS
from media_pipelines_tests.defs.test_automation import STAGES

REPO = Path(__file__).resolve().parents[2]


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def(TITLE_JOB_NAME)
    assert job.partitions_def.name == TITLES_PARTITION_NAME
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == {"raw_media", *STAGES}
    assert defs.resolve_sensor_def("landing_sensor").job_name == TITLE_JOB_NAME
    spec = defs.resolve_assets_def(raw_media.key).specs_by_key[raw_media.key]
    assert spec.description and spec.partitions_def.name == TITLES_PARTITION_NAME


def test_environment_is_decided_by_variables(tmp_path):
    resources = build_resources({"MEDIA_LANDING_ROOT": "s3://in/drop", "MEDIA_LAKE_ROOT": str(tmp_path / "lake")})
    assert resources["landing"].root == "s3://in/drop"
    assert resources["lake"].root == str(tmp_path / "lake")
    default = build_resources({})
    assert default["lake"].root == str(Path("data/lake").resolve())
    dg.Definitions.validate_loadable(build_definitions({"MEDIA_LAKE_ROOT": "s3://lake/x"}))


def test_instance_config_validates_against_the_schema():
    config, _ = dagster_instance_config(str(REPO))
    assert config["concurrency"]["pools"]["default_limit"] >= 1


def test_every_stage_is_versioned_retried_on_transient_errors_and_heavy_ones_pooled():
    graph = defs.resolve_asset_graph()
    for key in title_asset_keys(graph):
        node = graph.get(key)
        assert node.code_version, key
        assert defs.resolve_assets_def(key).op.retry_policy is not None, key
    pools = {k.to_user_string(): defs.resolve_assets_def(k).op.pool for k in title_asset_keys(graph)}
    assert {pools["renditions"], pools["shots"], pools["transcripts"], pools["audio_features"]} == {
        "transcode",
        "cpu",
        "asr",
    }


def test_the_speech_model_settings_come_from_the_environment():
    assert build_resources({})["asr"].model_dump() == {
        "backend": "faster-whisper", "model": "", "device": "auto", "compute_type": "auto"
    }  # fmt: skip
    env = {"MEDIA_ASR_DEVICE": "cuda", "MEDIA_ASR_COMPUTE_TYPE": "float16", "MEDIA_ASR_MODEL": "/models/large-v3"}
    asr = build_resources(env)["asr"]
    assert (asr.device, asr.compute_type, asr.model, asr.backend) == (
        "cuda",
        "float16",
        "/models/large-v3",
        "faster-whisper",
    )


def test_the_qc_windows_come_from_the_environment():
    assert build_resources({})["qc"].model_dump() == {
        "loudness_target_lufs": -24.0, "loudness_tolerance_lu": 2.0, "true_peak_max_dbtp": -1.0, "max_drift_ms": 200.0
    }  # fmt: skip
    qc = build_resources({"MEDIA_QC_LOUDNESS_TARGET_LUFS": "-16", "MEDIA_QC_MAX_SUBTITLE_DRIFT_MS": "80"})["qc"]
    assert (qc.loudness_target_lufs, qc.loudness_tolerance_lu, qc.max_drift_ms) == (-16.0, 2.0, 80.0)
    with pytest.raises(ValueError, match="MEDIA_QC_TRUE_PEAK_MAX_DBTP='loud' is not a number"):
        build_resources({"MEDIA_QC_TRUE_PEAK_MAX_DBTP": "loud"})


def test_asset_groups_read_as_the_pipeline():
    """Four groups in the lineage graph, each reading only from itself or the groups before it."""
    order = [groups.INGEST, groups.ANALYSIS, groups.MEDIA_TABLE, groups.SEARCH]
    graph = defs.resolve_asset_graph()
    group_of = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(group_of.values()) == set(order)
    for key, group in group_of.items():
        assert all(order.index(group_of[parent]) <= order.index(group) for parent in graph.get(key).parent_keys), key


def test_the_per_title_view_shows_every_stage_below_the_summary_in_pipeline_order():
    graph = defs.resolve_asset_graph()
    upstream = dg.AssetSelection.assets(title_summary).upstream().resolve(graph) - {title_summary.key}
    shown = [a.key for a in STAGES_SHOWN]
    assert set(shown) == upstream and len(shown) == len(upstream)
    for position, key in enumerate(shown):
        assert set(graph.get(key).parent_keys) <= set(shown[:position]), key  # after everything it reads


def test_every_run_executes_its_steps_in_one_process_whoever_launches_it():
    """The title job (sensor, reconcile, backfills, UI) and the asset runs automation launches alike."""
    assert defs.resolve_job_def(TITLE_JOB_NAME).executor_def is dg.in_process_executor
    assert defs.resolve_implicit_global_asset_job_def().executor_def is dg.in_process_executor


def test_every_stage_shows_the_columns_of_the_table_of_record_it_writes():
    graph = defs.resolve_asset_graph()
    written = set()
    for key in title_asset_keys(graph):
        metadata = graph.get(key).metadata
        columns = [c.name for c in metadata["dagster/column_schema"].columns]
        tables = re.findall(r"\*\*(\w+)\*\*", metadata["tables"].value)
        assert columns == TABLE_SPECS[tables[0]].stored_schema.names, key
        written |= set(tables)
    assert written == set(TABLE_SPECS)  # every table of record is shown on the asset that writes it


HEAVY_ENGINES = ("faster_whisper", "ctranslate2", "onnxruntime", "whisper", "torch", "librosa", "scipy", "numba",
                 "duckdb", "pandas", "boto3", "dagster_aws", "lance",
                 "sentence_transformers", "transformers", "cv2", "rapidocr_onnxruntime", "efficientnet_lite_pytorch")  # fmt: skip


def test_loading_the_definitions_loads_no_asr_audio_analysis_sql_s3_or_search_engine():
    """Every daemon tick and every run process loads the code location: the engines load in the step that
    uses them, never at import."""
    script = (
        "import sys, media_pipelines.definitions as d; d.defs.resolve_all_asset_specs(); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY_ENGINES!r})))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_loading_the_definitions_starts_no_media_tool_process(tmp_path):
    """Once a machine has asked its ffmpeg binary for its version (the code versions need it), loading the
    definitions starts no ffmpeg process: it is remembered per binary in the user's cache."""
    spy = (
        "import subprocess; started = []; real = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n    started.append(str(args)); real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "import media_pipelines.definitions as d; d.defs.resolve_all_asset_specs()\n"
        "print([s for s in started if 'ffmpeg' in s])"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def started() -> str:
        result = subprocess.run([sys.executable, "-c", spy], capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert "ffmpeg" in started()  # the first load on a machine asks the binary
    assert started() == "[]"
