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
    stills = []
    for i, card in enumerate(CARDS):
        still = out.with_name(f"{out.stem}-card{i}.png")
        card_image(card).save(still)
        stills.append((still, seconds_each))
    return _stills_clip(out, stills)


def _stills_clip(out: Path, stills: list[tuple[Path, float]]) -> Path:
    """The pictures one after another, each held for its seconds, as a silent 25 fps H.264 video."""
    inputs = []
    for still, seconds in stills:
        inputs += ["-loop", "1", "-framerate", "25", "-t", f"{seconds:.2f}", "-i", str(still)]
    joined = "".join(f"[{i}:v]" for i in range(len(stills))) + f"concat=n={len(stills)}:v=1:a=0[v]"
    run_ffmpeg(
        [*inputs, "-filter_complex", joined, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
         "-pix_fmt", "yuv420p", "-fflags", "+bitexact", str(out)]
    )  # fmt: skip
    return out


@dataclass(frozen=True)
class Caption:
    text: str
    start_s: float
    end_s: float


# Burnt into one still shot, white on a dark band as broadcast captions are: the first caption goes, the
# screen is clear past a sampled frame, then the second comes, so only a frame sampled after it shows it.
CAPTIONS = (Caption("Meet me at the old pier", 0.0, 1.6), Caption("The storm is coming tonight", 3.4, 6.0))


def captions_clip(out: Path, background: Image.Image) -> Path:
    """One still shot of `background` (1280 x 720) with CAPTIONS burnt in, as a silent H.264 video."""
    font = ImageFont.truetype(str(FONTS["sans-bold"]), 48)
    pieces, at = [], 0.0
    for caption in CAPTIONS:
        if caption.start_s > at:
            pieces.append((None, caption.start_s - at))
        pieces.append((caption.text, caption.end_s - caption.start_s))
        at = caption.end_s
    stills = []
    for i, (text, seconds) in enumerate(pieces):
        still = background.convert("RGB").resize((1280, 720))
        if text:
            draw = ImageDraw.Draw(still)
            width = draw.textlength(text, font=font)
            left = (1280 - width) / 2
            draw.rectangle((left - 24, 600, left + width + 24, 684), fill=(16, 16, 16))  # the caption's band
            draw.text((left, 612), text, font=font, fill=(255, 255, 255))
        path = out.with_name(f"{out.stem}-{i}.png")
        still.save(path)
        stills.append((path, seconds))
    return _stills_clip(out, stills)
