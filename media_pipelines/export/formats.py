"""The export formats by name, apart from their writers, so the CLI's parser loads no Parquet library."""

WEBDATASET = "webdataset"
PARQUET = "parquet"
FORMATS = (WEBDATASET, PARQUET)
# Two keyframes this alike (cosine of their embeddings) are one shot, for --drop-near-duplicates.
DEFAULT_NEAR_DUPLICATE_COSINE = 0.95
