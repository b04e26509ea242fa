"""Title cards for the on-screen text tests: known lines in known fonts, rendered by Pillow."""

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from media_pipelines.core.tools import run_ffmpeg

# Debian's fonts-dejavu-core and fonts-liberation (.ci/run installs them).
FONTS = {
    "sans-bold": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "serif": Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    "mono": Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
}


@dataclass(frozen=True)
class Card:
    text: str
    font: str
    size: int
    background: tuple[int, int, int]


CARDS = (
    Card("THE LAST HARBOUR", "sans-bold", 72, (12, 14, 40)),
    Card("Chapter 3: Into the Storm", "serif", 48, (70, 20, 20)),
    Card("A Film by Night Owl Pictures", "mono", 32, (20, 60, 30)),
)


def card_image(card: Card, size: tuple[int, int] = (1280, 720)) -> Image.Image:
    missing = [str(path) for path in FONTS.values() if not path.exists()]
    if missing:
        raise FileNotFoundError(f"fonts missing (apt-get install fonts-dejavu-core fonts-liberation): {missing}")
    image = Image.new("RGB", size, card.background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS[card.font]), card.size)
    width = draw.textlength(card.text, font=font)
    draw.text(((size[0] - width) / 2, size[1] * 0.45), card.text, font=font, fill=(240, 236, 220))
    return image


def cards_clip(out: Path, seconds_each: float = 2.0) -> Path:
    """One shot per card, cut to the next, as a silent H.264 video."""
    inputs = []
    for i, card in enumerate(CARDS):
        still = out.with_name(f"{out.stem}-card{i}.png")
        card_image(card).save(still)
        inputs += ["-loop", "1", "-framerate", "25", "-t", str(seconds_each), "-i", str(still)]
    joined = "".join(f"[{i}:v]" for i in range(len(CARDS))) + f"concat=n={len(CARDS)}:v=1:a=0[v]"
    run_ffmpeg(
        [*inputs, "-filter_complex", joined, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
         "-pix_fmt", "yuv420p", "-fflags", "+bitexact", str(out)]
    )  # fmt: skip
    return out
