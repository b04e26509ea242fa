"""Which audio a video source is heard with: its own audio rendition, else the title's main audio source."""

from collections.abc import Iterable, Mapping


def pair_audio(video_sources: Iterable[str], audio_durations: Mapping[str, float]) -> dict[str, str | None]:
    """A video delivered without sound (picture and dialogue as separate files) takes the longest audio-only
    source, the usual shape of a separate stem; ties go to the smaller source id so pairing is stable."""
    main = main_audio(audio_durations)
    return {video: video if video in audio_durations else main for video in video_sources}


def main_audio(audio_durations: Mapping[str, float]) -> str | None:
    """The title's main audio source: the longest, ties to the smaller source id."""
    return min(audio_durations, key=lambda s: (-audio_durations[s], s)) if audio_durations else None
