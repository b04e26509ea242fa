"""Standardized renditions and technical QC from a single decode of each source."""
