"""A documented hallucination-risk score per segment, in [0, 1]; the highest of four signals.

- repetition: the share of repeated word 3-grams (Whisper's loops on music and silence);
- outside speech: the share of the segment's time that voice activity did not mark as speech;
- low confidence: avg_logprob from -0.5 (no risk) to -1.5 (full risk);
- compression: gzip compression ratio from 1.8 (no risk) to 2.6 (full risk), another sign of loops.
"""

import re


def _ramp(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def repetition(text: str) -> float:
    words = re.findall(r"\w+", text.lower())
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return 1 - len(set(grams)) / len(grams) if len(grams) >= 3 else 0.0


def outside_speech(start: float, end: float, regions: list[tuple[float, float]]) -> float:
    if end <= start:
        return 0.0
    inside = sum(max(0.0, min(end, b) - max(start, a)) for a, b in regions)
    return 1 - min(1.0, inside / (end - start))


def hallucination_risk(
    text: str,
    start: float,
    end: float,
    avg_logprob: float,
    compression_ratio: float,
    regions: list[tuple[float, float]],
) -> float:
    return round(
        max(
            repetition(text),
            outside_speech(start, end, regions),
            _ramp(-avg_logprob, 0.5, 1.5),
            _ramp(compression_ratio, 1.8, 2.6),
        ),
        3,
    )
