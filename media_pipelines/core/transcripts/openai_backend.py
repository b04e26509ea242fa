"""The reference implementation, openai-whisper, behind the same backend interface (optional `openai` extra)."""

from collections.abc import Iterator

import numpy as np

from media_pipelines.core.transcripts.backend import OPENAI_WHISPER, AsrInfo, AsrSegment, DecodeOptions, ModelRef, Word


class OpenAIWhisperBackend:
    name = OPENAI_WHISPER

    def __init__(self, model: ModelRef, device: str = "auto"):
        import torch
        import whisper

        self.device = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
        self.model_id = model.model_id
        self._model = whisper.load_model(model.location, device=self.device)

    def transcribe(self, clip: np.ndarray, options: DecodeOptions) -> tuple[Iterator[AsrSegment], AsrInfo]:
        import whisper

        language, probability = options.language, 1.0
        if language is None and not self._model.is_multilingual:
            language = "en"
        elif language is None:
            window = whisper.pad_or_trim(clip)
            mel = whisper.log_mel_spectrogram(window, self._model.dims.n_mels).to(self._model.device)
            _, probabilities = self._model.detect_language(mel)
            language = max(probabilities, key=probabilities.get)
            probability = float(probabilities[language])
        result = self._model.transcribe(
            clip,
            language=language,
            beam_size=options.beam_size,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=True,
            fp16=self.device == "cuda",
        )
        return (_segment(s) for s in result["segments"]), AsrInfo(language, round(probability, 4))


def _segment(s: dict) -> AsrSegment:
    words = tuple(
        Word(w["word"].strip(), float(w["start"]), float(w["end"]), round(float(w["probability"]), 4))
        for w in s.get("words", [])
    )
    return AsrSegment(
        start=float(s["start"]),
        end=float(s["end"]),
        text=s["text"].strip(),
        avg_logprob=float(s["avg_logprob"]),
        no_speech_prob=float(s["no_speech_prob"]),
        compression_ratio=float(s["compression_ratio"]),
        words=words,
    )
