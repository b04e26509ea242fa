import pytest

from media_pipelines.core.titles import InvalidTitleIdError, is_valid_title_id, validate_title_id


@pytest.mark.parametrize("title_id", ["bikes", "a", "0-title_2", "x" * 64])
def test_valid_title_ids(title_id):
    assert validate_title_id(title_id) == title_id


@pytest.mark.parametrize("title_id", ["../x", "", "Bikes", "-lead", "_lead", "a/b", "x" * 65, "a b", "tïtle", "a\n"])
def test_invalid_title_ids_are_refused_with_a_clear_message(title_id):
    assert not is_valid_title_id(title_id)
    with pytest.raises(InvalidTitleIdError, match="invalid title id"):
        validate_title_id(title_id)
