"""The export formats by name, apart from their writers, so the CLI's parser loads no Parquet library."""

WEBDATASET = "webdataset"
PARQUET = "parquet"
FORMATS = (WEBDATASET, PARQUET)
