"""Stream the proxy once, in process: every frame tiny for detection, one per interval at proxy size."""

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter

ANALYSIS_WIDTH, ANALYSIS_HEIGHT = 32, 18
BATCH_FRAMES = 256
_QUEUED_BATCHES = 8


@dataclass(frozen=True)
class Batch:
    first_index: int
    frames: np.ndarray  # N x ANALYSIS_HEIGHT x ANALYSIS_WIDTH x 3 uint8: every frame from first_index on
    sample_indices: tuple[int, ...]  # the sampled frames among them...
    samples: np.ndarray  # ...at proxy size: K x H x W x 3 uint8


class ProxyDecodeError(RuntimeError):
    """The proxy could not be opened or decoded.

    The proxy is the lake's own rendition, written whole or not at all, so a broken packet means damage:
    the stage stops rather than drop a frame and shift every frame index after it.
    """


def stream_proxy(proxy: Path, sample_every: int) -> Iterator[Batch]:
    """Batches of every frame at analysis size, each with its every `sample_every`-th frames at proxy size.

    The proxy is constant frame rate, so frame index / fps is each frame's presentation time. Decoding runs
    on its own thread (PyAV leaves the GIL while FFmpeg works), a bounded queue ahead of the consumer, so
    memory stays flat whatever the title's length.
    """
    batches: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=_QUEUED_BATCHES)
    stop = threading.Event()
    producer = threading.Thread(target=_decode, args=(proxy, sample_every, batches, stop), daemon=True)
    producer.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise ProxyDecodeError(f"could not decode {proxy}: {item}") from item
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            try:
                batches.get(timeout=0.05)
            except queue.Empty:
                pass
        producer.join()


def _decode(proxy: Path, sample_every: int, out: queue.Queue, stop: threading.Event) -> None:
    try:
        # One reformatter per output size keeps each scaler's set-up; threads=1 because swscale's own
        # workers cost more in hand-offs than they save on frames this small.
        tiny, full = VideoReformatter(), VideoReformatter()
        with av.open(str(proxy)) as container:
            stream = container.streams.video[0]
            # Frame threads fight the consumer for the cores; one decoder thread is faster overall.
            stream.thread_type = "NONE"
            frames = np.empty((BATCH_FRAMES, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3), np.uint8)
            first, count, sampled, samples = 0, 0, [], []
            for frame in container.decode(stream):
                small = tiny.reformat(
                    frame, ANALYSIS_WIDTH, ANALYSIS_HEIGHT, "rgb24", interpolation=Interpolation.AREA, threads=1
                )
                frames[count - first] = small.to_ndarray()
                if count % sample_every == 0:
                    sampled.append(count)
                    samples.append(full.reformat(frame, format="rgb24", threads=1).to_ndarray())
                count += 1
                if count - first == BATCH_FRAMES:
                    out.put(_batch(first, frames, sampled, samples, (frame.height, frame.width)))
                    if stop.is_set():
                        return
                    frames, first, sampled, samples = np.empty_like(frames), count, [], []
            if count > first:
                out.put(_batch(first, frames[: count - first], sampled, samples, (frame.height, frame.width)))
    except BaseException as error:  # handed to the consumer, which raises it
        out.put(error)
        return
    out.put(None)


def _batch(
    first: int, frames: np.ndarray, sampled: list[int], samples: list[np.ndarray], size: tuple[int, int]
) -> Batch:
    stacked = np.stack(samples) if samples else np.empty((0, *size, 3), np.uint8)
    return Batch(first, frames, tuple(sampled), stacked)
