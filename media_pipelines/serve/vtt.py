"""A shot's subtitles as WebVTT on its clip's clock."""

from media_pipelines.core.transcripts.subtitles import to_vtt


def shot_vtt(cues: list[dict], start_s: float, end_s: float) -> str:
    """Cues on screen during [start_s, end_s), moved so 0 is the shot's first frame and cut to its length;
    one file's cues only (the first by name), as a player shows one track."""
    first_file = min((c["file_name"] for c in cues), default=None)
    shifted = []
    for cue in (c for c in cues if c["file_name"] == first_file):
        begin, finish = max(cue["start_s"], start_s) - start_s, min(cue["end_s"], end_s) - start_s
        if finish <= begin:
            continue
        # "-->" in a cue's text reads as a timing line to a player's parser, and a blank line ends the cue.
        lines = [line.strip() for line in cue["text"].replace("-->", "->").splitlines()]
        shifted.append((begin, finish, "\n".join(line for line in lines if line)))
    return to_vtt(shifted)
