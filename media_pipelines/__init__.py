"""media_pipelines: a media data lake for machine learning, built as Dagster assets."""

__version__ = "0.1.0"
