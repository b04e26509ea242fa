"""A contact sheet: every shot's keyframe in a grid, labelled with shot number and start time."""

from pathlib import Path

from PIL import Image, ImageDraw


def contact_sheet(thumbnails: list[tuple[str, Path]], out: Path, width: int = 160, columns: int = 6) -> Path:
    """Built one keyframe at a time: only the sheet and the cell being pasted are in memory, never every
    keyframe at full size (400 keyframes of a feature film took 650 MB that way)."""
    height = max((_cell_height(path, width) for _, path in thumbnails), default=90)
    rows = max(1, -(-len(thumbnails) // columns))
    sheet = Image.new("RGB", (columns * width, rows * (height + 14)), "black")
    draw = ImageDraw.Draw(sheet)
    for n, (label, path) in enumerate(thumbnails):
        x, y = (n % columns) * width, (n // columns) * (height + 14)
        with Image.open(path) as image:
            image.draft("RGB", (width, height))  # JPEG: decode at a fraction of full size when it can
            sheet.paste(image.convert("RGB").resize((width, height)), (x, y))
        draw.text((x + 3, y + height + 1), label, fill="white")
    sheet.save(out, quality=80)
    return out


def _cell_height(path: Path, width: int) -> int:
    with Image.open(path) as image:  # reads the header only
        return round(image.height * width / image.width)
