"""Timestamps as SRT and WebVTT write them."""

import re

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})\s*$")


def parse_clock(value: str) -> float:
    """'01:02:03,450', '02:03.450' or '1:2:3.45' to seconds; ValueError otherwise."""
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(f"not a timestamp: {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return round(total + int(fraction.ljust(3, "0")) / 1000, 3)
