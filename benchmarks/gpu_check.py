"""GPU check for the transcripts stage, for a session lent a CUDA device; finishes in well under 5 minutes.

    python benchmarks/gpu_check.py [audio ...]

Transcribes the JFK clip (and any audio given) with faster-whisper in float16 on CUDA and with
openai-whisper on CUDA, both from the offline tiny.en weights (the openai-whisper checkpoint is converted
from them), and prints load time, transcription time, x-realtime and WER on JFK. Needs the dev extra.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_pipelines.core.transcripts.backend import (  # noqa: E402
    FASTER_WHISPER,
    OPENAI_WHISPER,
    ModelRef,
    make_backend,
    resolve_model,
)
from media_pipelines.core.transcripts.transcribe import transcribe_audio  # noqa: E402
from media_pipelines.core.transcripts.wer import normalized, word_error_rate  # noqa: E402
from media_pipelines.samples import JFK_TEXT, jfk_audio  # noqa: E402
from media_pipelines_tests.ct2_to_openai import convert  # noqa: E402


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    print(f"device: {torch.cuda.get_device_name(0)}")
    audio = [jfk_audio(), *map(Path, sys.argv[1:])]
    offline = resolve_model(None)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = convert(Path(offline.location), Path(tmp, "tiny_en.pt"))
        setups = [
            (FASTER_WHISPER, offline, "float16"),
            (OPENAI_WHISPER, ModelRef(str(checkpoint), "tiny.en (converted)"), "auto"),
        ]
        for backend_name, model, compute_type in setups:
            start = time.perf_counter()
            backend = make_backend(backend_name, model, device="cuda", compute_type=compute_type)
            loaded = time.perf_counter() - start
            for path in audio:
                start = time.perf_counter()
                transcript = transcribe_audio(path, backend)
                seconds = time.perf_counter() - start
                text = " ".join(s.segment.text for s in transcript.segments)
                wer = word_error_rate(normalized(JFK_TEXT), normalized(text)) if path == jfk_audio() else None
                timing = f"load {loaded:5.1f} s  transcribe {seconds:6.2f} s  {transcript.duration_s / seconds:7.1f}x"
                score = f"  WER {wer:.3f}" if wer is not None else ""
                print(f"{backend_name:<15} {compute_type:<8} {path.name:<24} {timing}{score}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
