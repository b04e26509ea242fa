"""One title at a glance, for its `title_summary` page: every stage's latest build and every preview."""

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from media_pipelines.defs.metadata import SUMMARY

# Metadata entries that are images a stage published for the title (files in the lake, linked, not inlined).
PREVIEW_PREFIXES = ("contact_sheet", "still")
# The UI shows markdown metadata inline only below 1,000 characters (else behind "[Show Markdown]").
INLINE_MARKDOWN_CHARS = 1000
_SUMMARY_CHARS = 64


@dataclass(frozen=True)
class TitleView:
    stages: str  # a markdown table: each stage and its one-line summary
    previews: dict[str, dg.MetadataValue]  # each stage's preview images, as the UI's path entries


def title_view(instance: dg.DagsterInstance, stages: Sequence[dg.AssetKey], title_id: str, run_id: str) -> TitleView:
    """Each stage's latest materialization of the title: its summary (with the run that built it where
    that is not this one, `run_id`) and its previews."""
    lines, previews = ["| stage | latest build |", "|---|---|"], {}
    for key in stages:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[title_id]), limit=1
        ).records
        if not records:
            lines.append(f"| {key.to_user_string()} | never built |")
            continue
        metadata = records[0].asset_materialization.metadata
        summary = str(metadata[SUMMARY].value) if SUMMARY in metadata else "built"
        if len(summary) > _SUMMARY_CHARS:
            summary = summary[: _SUMMARY_CHARS - 1] + "…"
        if records[0].run_id != run_id:
            summary += f" (run {records[0].run_id[:8]})"
        lines.append(f"| {key.to_user_string()} | {summary.replace('|', '/')} |")
        previews.update({name: entry for name, entry in sorted(metadata.items()) if name.startswith(PREVIEW_PREFIXES)})
    return TitleView("\n".join(lines), previews)
