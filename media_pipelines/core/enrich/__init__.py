"""Joining every modality of a title on exact timestamps: the per-shot media table and the title summary."""
