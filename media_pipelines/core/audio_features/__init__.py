"""Audio features per shot and per second, streamed from the 16 kHz audio rendition."""
