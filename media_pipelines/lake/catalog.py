"""Every lake table of record, in pipeline order: its schema, row key and description in one place."""

from media_pipelines.lake.annotations import ANNOTATIONS_SPEC
from media_pipelines.lake.audio_features import AUDIO_TIMELINE_SPEC, SHOT_AUDIO_SPEC
from media_pipelines.lake.media_table import MEDIA_TABLE_SPEC, TITLE_SUMMARY_SPEC
from media_pipelines.lake.raw_files import RAW_FILES_SPEC
from media_pipelines.lake.renditions import RENDITION_QC_SPEC, RENDITIONS_SPEC
from media_pipelines.lake.search import SHOT_EMBEDDINGS_SPEC, SHOT_TEXT_SPEC
from media_pipelines.lake.shots import FRAMES_SPEC, SHOTS_SPEC
from media_pipelines.lake.tables import TableSpec
from media_pipelines.lake.timed_text import ALIGNMENT_SPEC, CUES_SPEC
from media_pipelines.lake.transcripts import SEGMENTS_SPEC, SPEECH_SPEC, WORDS_SPEC

TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        RAW_FILES_SPEC,
        RENDITIONS_SPEC,
        RENDITION_QC_SPEC,
        SHOTS_SPEC,
        FRAMES_SPEC,
        SHOT_TEXT_SPEC,
        SEGMENTS_SPEC,
        WORDS_SPEC,
        SPEECH_SPEC,
        CUES_SPEC,
        ALIGNMENT_SPEC,
        SHOT_AUDIO_SPEC,
        AUDIO_TIMELINE_SPEC,
        ANNOTATIONS_SPEC,
        MEDIA_TABLE_SPEC,
        TITLE_SUMMARY_SPEC,
        SHOT_EMBEDDINGS_SPEC,
    )
}
