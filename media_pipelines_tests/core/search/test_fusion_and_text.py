from media_pipelines.core.search.documents import shot_search_text
from media_pipelines.core.search.fusion import reciprocal_rank_fusion


def test_an_item_high_in_two_lists_beats_one_first_in_a_single_list():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "a"]])
    assert [item for item, _ in fused][:2] == ["b", "a"]
    assert fused[0][1] == 1 / 62 + 1 / 61


def test_subtitles_repeating_the_transcript_count_once():
    text = shot_search_text(
        "Ask not what your country can do", "ask not, what your country can do!", ["EXIT"], ["taxicab"]
    )
    assert text == "Ask not what your country can do\nEXIT\ntaxicab"
    assert shot_search_text("", "", [], []) == ""
    assert shot_search_text("hello", "bonjour", [], []) == "hello\nbonjour"
