import io

import numpy as np
import pytest
from PIL import Image

from media_pipelines.core.search.ocr import read_text
from media_pipelines_tests.cards import CARDS, FONTS, Card, card_image

SIZES = (72, 48, 32)
LINES = ("THE LAST HARBOUR", "Chapter 3: Into the Storm", "Directed by Ana Ruiz", "A Film by Night Owl Pictures")


def as_keyframe(image: Image.Image) -> np.ndarray:
    """The picture as the shots stage stores a keyframe: a JPEG."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return np.asarray(Image.open(buffer).convert("RGB"))


@pytest.mark.parametrize("font", sorted(FONTS))
@pytest.mark.parametrize("size", SIZES)
def test_title_cards_are_read_exactly_in_every_font_and_size(font, size):
    for text in LINES:
        card = Card(text, font, size, (12, 14, 40))
        lines = read_text(as_keyframe(card_image(card)))
        assert [line.text for line in lines] == [text], (font, size)
        [line] = lines
        left, top, right, bottom = line.box
        assert 0 <= left < right <= 1 and 0.4 < top < bottom < 0.6  # the card's text sits at 45 % height
        assert line.confidence > 0.9


def test_a_frame_without_text_reads_nothing():
    assert read_text(as_keyframe(Image.new("RGB", (640, 360), (30, 30, 30)))) == []


def test_lines_come_top_to_bottom():
    image = card_image(CARDS[0])
    lower = card_image(CARDS[1]).crop((0, 300, 1280, 420))
    image.paste(lower, (0, 560))
    assert [line.text for line in read_text(as_keyframe(image))] == [CARDS[0].text, CARDS[1].text]
