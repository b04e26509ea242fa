"""A shot's subtitles as WebVTT on its clip's clock."""


def _clock(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def shot_vtt(cues: list[dict], start_s: float, end_s: float) -> str:
    """Cues on screen during [start_s, end_s), moved so 0 is the shot's first frame and cut to its length;
    one file's cues only (the first by name), as a player shows one track."""
    first_file = min((c["file_name"] for c in cues), default=None)
    blocks = ["WEBVTT", ""]
    for cue in (c for c in cues if c["file_name"] == first_file):
        begin, finish = max(cue["start_s"], start_s) - start_s, min(cue["end_s"], end_s) - start_s
        if finish <= begin:
            continue
        # "-->" in a cue's text reads as a timing line to a player's parser, and a blank line ends the cue.
        lines = [line.strip() for line in cue["text"].replace("-->", "->").splitlines()]
        text = "\n".join(line for line in lines if line)
        blocks += [f"{_clock(begin)} --> {_clock(finish)}", text, ""]
    return "\n".join(blocks)
