"""Which sampled frames are read for on-screen text, from their edge grids."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from media_pipelines.core.search.text_frames import SampledFrame, frames_to_read, new_lines
from media_pipelines.core.shots.features import EDGE_GRID_COLUMNS, EDGE_GRID_ROWS, frame_features
from media_pipelines_tests.cards import FONTS

CELLS = EDGE_GRID_ROWS * EDGE_GRID_COLUMNS


def grid(raised: dict[int, int] | None = None, base: int = 1) -> str:
    levels = [base] * CELLS
    for cell, level in (raised or {}).items():
        levels[cell] = level
    return "".join(f"{v:x}" for v in levels)


def test_after_the_keyframe_a_frame_is_read_where_its_cells_rise_over_the_sample_before_it():
    keyframe = SampledFrame(0, grid())
    samples = [
        SampledFrame(0, grid()),
        SampledFrame(25, grid({140: 3})),  # motion: up 2
        SampledFrame(50, grid({140: 7})),  # a caption: up 4 on the sample before
        SampledFrame(75, grid({140: 7})),  # still there: nothing new
        SampledFrame(100, grid()),  # gone
        SampledFrame(125, grid({141: 6})),  # the next caption after a gap
    ]
    assert frames_to_read(keyframe, samples) == [50, 125]
    assert frames_to_read(keyframe, samples, max_extra=1) == [50]


def test_text_that_had_gone_before_the_keyframe_rises_on_its_later_neighbour():
    """Seen from the keyframe (the second caption, 4 s) back: the first caption had gone by 2 s."""
    second = grid({141: 8})
    keyframe = SampledFrame(100, second)
    samples = [
        SampledFrame(0, grid({141: 7})),  # the first caption, in the same place
        SampledFrame(25, grid({141: 7})),
        SampledFrame(50, grid()),
        SampledFrame(75, grid()),
        SampledFrame(100, second),
        SampledFrame(125, second),
    ]
    assert frames_to_read(keyframe, samples) == [25]


def test_past_the_cap_the_samples_nearest_the_keyframe_are_read_and_it_never_twice():
    flicker = [SampledFrame(i * 25, grid({5: 9}) if i % 2 else grid()) for i in range(9)]
    keyframe = flicker[4]  # 100: plain; risers at 25, 75, 125, 175
    assert frames_to_read(keyframe, flicker) == [75, 125]
    assert frames_to_read(flicker[3], flicker, max_extra=9) == [25, 125, 175]  # 75 is the keyframe itself


def test_new_lines_are_those_not_read_before_in_the_shot():
    read: set[str] = set()
    assert new_lines(read, ["Where were you?", "LIVE"]) == [0, 1]
    assert new_lines(read, ["where  were you?", "At the harbour."]) == [1]


def captioned(picture: Image.Image, text: str) -> np.ndarray:
    image = picture.copy()
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS["sans-bold"]), 22)
    draw.text((150, 300), text, font=font, fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))
    return np.asarray(image)


def test_a_caption_raises_its_cells_of_the_edge_grid_on_a_real_picture():
    """On a frame of bikes.mp4 (a busy street) at proxy size: a caption rises by the read threshold."""
    import av

    from media_pipelines.samples.demo import bikes_clip

    with av.open(str(bikes_clip())) as container:
        picture = next(container.decode(video=0)).to_image().resize((640, 360))
    plain = SampledFrame(0, frame_features(np.asarray(picture)).edge_grid)
    caption = SampledFrame(25, frame_features(captioned(picture, "Where were you last night?")).edge_grid)
    assert frames_to_read(plain, [plain, caption]) == [25]
