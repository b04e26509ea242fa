"""Asset groups as the lineage graph shows them: a title arrives, is analysed, and is joined per shot."""

# raw media and its standard renditions: what every analysis reads
INGEST = "ingest"
# per-modality analysis of the renditions and deliveries: shots, speech, subtitles, audio, annotations
ANALYSIS = "analysis"
# the per-shot media table and the title summary that join every modality
MEDIA_TABLE = "media_table"
# the search index over every title's shots: embeddings, visual tags and the text each shot is found by
SEARCH = "search"
