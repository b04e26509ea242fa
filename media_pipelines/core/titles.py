"""Title ids: the partition key and a path component, so they are validated before any use."""

import re

TITLE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class InvalidTitleIdError(ValueError):
    """A title id that must never reach a path or a partition key."""


def validate_title_id(title_id: str) -> str:
    if not isinstance(title_id, str) or not TITLE_ID_PATTERN.fullmatch(title_id):
        raise InvalidTitleIdError(
            f"invalid title id {title_id!r}: use 1-64 characters of lowercase letters, digits,"
            " '_' or '-', starting with a letter or digit"
        )
    return title_id


def is_valid_title_id(title_id: str) -> bool:
    return bool(TITLE_ID_PATTERN.fullmatch(title_id))
