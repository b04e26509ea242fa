"""Subtitles and captions as a modality: SRT, WebVTT and basic TTML/IMSC parsed into timed cues."""
