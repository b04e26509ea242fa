"""The text a shot is found by: what is said, what the subtitles read, what is written on screen, what it shows."""

import re
from collections.abc import Sequence


def _normalised(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def shot_search_text(transcript: str, subtitles: str, on_screen: Sequence[str], tags: Sequence[str]) -> str:
    """One passage per shot for full-text search and the text embedding. Subtitles that repeat the
    transcript word for word are left out, so a spoken line does not count twice in the ranking."""
    parts = [transcript.strip()]
    if _normalised(subtitles) and _normalised(subtitles) != _normalised(transcript):
        parts.append(subtitles.strip())
    parts += [line.strip() for line in on_screen]
    if tags:
        parts.append(", ".join(tags))
    return "\n".join(p for p in parts if p)
