import dagster as dg

TITLES_PARTITION_NAME = "titles"

# One partition per title, added by the landing sensor or `media-lake run`.
titles_partitions = dg.DynamicPartitionsDefinition(name=TITLES_PARTITION_NAME)
