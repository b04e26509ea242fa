"""Sample and generated media for the demo, the tests and the benchmarks."""

from importlib import resources
from pathlib import Path


def jfk_audio() -> Path:
    """JFK's inaugural 'ask not' passage (public domain), 11 s, 16 kHz mono FLAC."""
    return Path(str(resources.files(__package__).joinpath("jfk.flac")))


JFK_TEXT = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
