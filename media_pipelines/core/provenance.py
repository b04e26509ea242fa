"""Short, stable digests of what shaped an output: code versions, data versions, generation folders."""

import hashlib


def short_digest(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:length]
