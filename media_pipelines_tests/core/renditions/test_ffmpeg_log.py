from media_pipelines.core.renditions.ffmpeg_log import Segment, parse_black, parse_freezes, parse_loudness

LOG = """
[blackdetect @ 0x1] black_start:1.2 black_end:2.04 black_duration:0.84
[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 3
[freezedetect @ 0x2] lavfi.freezedetect.freeze_duration: 2
[freezedetect @ 0x2] lavfi.freezedetect.freeze_end: 5
[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 8.5
[Parsed_ebur128_7 @ 0x3] Summary:

  Integrated loudness:
    I:         -23.4 LUFS
    Threshold: -33.6 LUFS

  Loudness range:
    LRA:         5.2 LU
    Threshold: -43.6 LUFS
    LRA low:   -26.1 LUFS
    LRA high:  -20.9 LUFS

  True peak:
    Peak:       -1.3 dBFS
"""


def test_loudness_summary_is_parsed():
    loudness = parse_loudness(LOG)
    assert (loudness.integrated_lufs, loudness.loudness_range_lu, loudness.true_peak_dbtp) == (-23.4, 5.2, -1.3)


def test_silence_reads_as_unmeasured_and_absent_summary_as_none():
    silent = LOG.replace("-23.4 LUFS", "-inf LUFS").replace("-1.3 dBFS", "-inf dBFS")
    assert parse_loudness(silent).integrated_lufs is None and parse_loudness(silent).true_peak_dbtp is None
    assert parse_loudness("no filters here") is None


def test_black_and_freeze_segments_with_a_freeze_running_to_the_end():
    assert parse_black(LOG) == [Segment(1.2, 2.04)]
    assert parse_freezes(LOG, duration_s=10.0) == [Segment(3.0, 5.0), Segment(8.5, 10.0)]
    assert parse_freezes(LOG, duration_s=10.0)[1].duration_s == 1.5
