from media_pipelines.core.enrich.pairing import pair_audio


def test_a_video_keeps_its_own_sound_and_a_silent_one_takes_the_longest_stem():
    audio = {"film": 600.0, "stem-b": 590.0, "stem-a": 590.0, "trailer": 60.0}
    assert pair_audio(["film", "picture", "trailer"], audio) == {
        "film": "film",
        "picture": "film",
        "trailer": "trailer",
    }
    del audio["film"]
    assert pair_audio(["picture"], audio) == {"picture": "stem-a"}
    assert pair_audio(["picture"], {}) == {"picture": None}
