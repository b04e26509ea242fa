"""The online, read-only side of the lake: an HTTP API (`media-lake serve`)."""
