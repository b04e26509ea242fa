"""The proxy stream: every frame once, samples where asked, typed errors, and no thread left behind."""

import threading

import numpy as np
import pytest
from PIL import Image

from media_pipelines.core.probe import probe_file
from media_pipelines.core.shots.decode import ANALYSIS_HEIGHT, ANALYSIS_WIDTH, ProxyDecodeError, stream_proxy


def test_batches_hold_every_frame_once_and_samples_at_their_interval(media):
    video = next(s for s in probe_file(media["bikes"]).streams if s.type == "video")
    batches = list(stream_proxy(media["bikes"], sample_every=7))
    assert [b.first_index for b in batches] == list(np.cumsum([0] + [len(b.frames) for b in batches[:-1]]))
    count = sum(len(b.frames) for b in batches)
    assert count == video.frame_count
    assert all(b.frames.shape[1:] == (ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3) for b in batches)
    assert [i for b in batches for i in b.sample_indices] == list(range(0, count, 7))
    assert all(b.samples.shape == (len(b.sample_indices), video.height, video.width, 3) for b in batches)
    # a sample shrunk to analysis size is that frame's analysis picture
    first = batches[0]
    shrunk = Image.fromarray(first.samples[1]).resize((ANALYSIS_WIDTH, ANALYSIS_HEIGHT), Image.Resampling.BOX)
    assert np.abs(np.asarray(shrunk, np.float32) - first.frames[7]).mean() < 2  # neighbours differ by 3+


def test_a_file_that_is_not_video_raises_a_typed_error(tmp_path):
    broken = tmp_path / "proxy.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    with pytest.raises(ProxyDecodeError, match="could not decode"):
        list(stream_proxy(broken, sample_every=25))


def test_stopping_early_stops_the_decoder(media):
    before = threading.active_count()
    stream = stream_proxy(media["bikes"], sample_every=25)
    next(stream)
    stream.close()
    assert threading.active_count() == before
