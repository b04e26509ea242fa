"""The vocabulary every stage shares: what a file is, and why it could not be used."""

from enum import StrEnum


class MediaKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    TIMED_TEXT = "timed_text"
    ANNOTATIONS = "annotations"
    IMAGE = "image"
    OTHER = "other"


class FileStatus(StrEnum):
    OK = "ok"
    QUARANTINED = "quarantined"


class ErrorType(StrEnum):
    EMPTY_FILE = "empty_file"
    UNRECOGNIZED_FORMAT = "unrecognized_format"
    TRUNCATED = "truncated"
    DECODE_ERROR = "decode_error"
    UNREADABLE = "unreadable"
    MALFORMED_TIMED_TEXT = "malformed_timed_text"
    ENCODING_ERROR = "encoding_error"
    MALFORMED_ANNOTATIONS = "malformed_annotations"
    OUTSIDE_LANDING_ZONE = "outside_landing_zone"
    PROCESSING_ERROR = "processing_error"


class MediaFileError(Exception):
    """A source file that cannot be used, with a typed reason that is recorded, not raised past the title."""

    def __init__(self, error_type: ErrorType, message: str):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


USABLE_KINDS = frozenset({MediaKind.VIDEO, MediaKind.AUDIO})
