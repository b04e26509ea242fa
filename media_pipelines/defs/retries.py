import dagster as dg

# Transient failures only: object storage hiccups, a crashed ffmpeg or Whisper process, a lost worker.
# Bad input never reaches a retry: it is recorded per file, or raised as a Failure with allow_retries=False.
LAKE_IO_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
# Heavy stages wait longer before the retry: a crash under memory pressure needs the machine to settle.
HEAVY_RETRY = dg.RetryPolicy(max_retries=2, delay=15, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
