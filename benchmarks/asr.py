"""ASR settings compared on real read speech: WER next to speed for every setting, side by side in one run.

Usage: python benchmarks/asr.py
"""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import soundfile  # noqa: E402

from benchmarks.media import CACHE, read_speech  # noqa: E402
from media_pipelines.core.tools import run_ffmpeg  # noqa: E402
from media_pipelines.core.transcripts.audio import read_clip  # noqa: E402
from media_pipelines.core.transcripts.backend import DecodeOptions, FasterWhisperBackend, resolve_model  # noqa: E402
from media_pipelines.core.transcripts.transcribe import transcribe_audio  # noqa: E402
from media_pipelines.core.transcripts.vad import VadParams  # noqa: E402
from media_pipelines.core.transcripts.wer import normalized, word_error_rate  # noqa: E402


@dataclass(frozen=True)
class Setting:
    name: str
    compute_type: str = "int8"
    options: DecodeOptions = field(default_factory=DecodeOptions)
    vad: VadParams | None = field(default_factory=VadParams)  # None: decode the whole file


SETTINGS = [
    Setting("default: int8, beam 5, VAD 0.5"),
    Setting("greedy (beam 1)", options=DecodeOptions(beam_size=1)),
    Setting("float32 (no quantization)", compute_type="float32"),
    Setting("VAD threshold 0.35", vad=VadParams(threshold=0.35)),
    Setting("VAD threshold 0.65", vad=VadParams(threshold=0.65)),
    Setting("no VAD", vad=None),
    Setting("condition on previous text", options=DecodeOptions(condition_on_previous_text=True)),
]


def as_rendition(path: Path) -> Path:
    """The utterance as the renditions stage would hand it over: 16 kHz mono FLAC, made once."""
    out = CACHE / "read_speech_16k" / f"{path.stem}.flac"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        run_ffmpeg(["-i", str(path), "-ac", "1", "-ar", "16000", str(out)])
    return out


def main() -> int:
    corpus = [(as_rendition(path), normalized(text)) for path, text in read_speech()]
    audio_s = sum(soundfile.info(str(path)).duration for path, _ in corpus)
    words = sum(len(reference) for _, reference in corpus)
    model = resolve_model(None)
    print(f"{len(corpus)} utterances of real read speech, {audio_s:.0f} s, {words} words; model {model.model_id}")
    print(f"{'setting':<30} {'WER':>6} {'errors':>7} {'seconds':>8} {'x-rt':>6}")
    backends = {}
    for setting in SETTINGS:
        if setting.compute_type not in backends:
            backends[setting.compute_type] = FasterWhisperBackend(model, "cpu", setting.compute_type)
        backend, errors, start = backends[setting.compute_type], 0.0, time.perf_counter()
        for path, reference in corpus:
            if setting.vad:  # the stage's own path: VAD, then each clip read and decoded
                texts = [s.segment.text for s in transcribe_audio(path, backend, setting.options, setting.vad).segments]
            else:
                whole = read_clip(path, 0.0, soundfile.info(str(path)).duration)
                texts = [s.text for s in backend.transcribe(whole, setting.options)[0]]
            hypothesis = normalized(" ".join(texts))
            errors += word_error_rate(reference, hypothesis) * len(reference)
        seconds = time.perf_counter() - start
        print(
            f"{setting.name:<30} {errors / words:>6.3f} {errors:>7.0f} {seconds:>8.2f} {audio_s / seconds:>5.0f}x",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
