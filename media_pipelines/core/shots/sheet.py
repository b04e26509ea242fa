"""A contact sheet: every shot's keyframe in a grid, labelled with shot number and start time."""

from pathlib import Path

from PIL import Image, ImageDraw


def contact_sheet(thumbnails: list[tuple[str, Path]], out: Path, width: int = 160, columns: int = 6) -> Path:
    cells = [(label, Image.open(path).convert("RGB")) for label, path in thumbnails]
    height = max((round(img.height * width / img.width) for _, img in cells), default=90)
    rows = max(1, -(-len(cells) // columns))
    sheet = Image.new("RGB", (columns * width, rows * (height + 14)), "black")
    draw = ImageDraw.Draw(sheet)
    for n, (label, img) in enumerate(cells):
        x, y = (n % columns) * width, (n // columns) * (height + 14)
        sheet.paste(img.resize((width, height)), (x, y))
        draw.text((x + 3, y + height + 1), label, fill="white")
    sheet.save(out, quality=80)
    return out
