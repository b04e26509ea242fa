"""Speech gating, Whisper transcription behind a backend interface, hallucination scoring, timed text out."""
