"""Training shards from a SQL selection of shots: WebDataset tars or Parquet, deterministic, with a manifest."""
