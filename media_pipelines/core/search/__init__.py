"""Search over shots: image and text encoders, on-screen text, the text a shot is found by, rank fusion."""

# Two keyframes this alike (cosine of their embeddings) show one shot: a trailer's copy of a film's shot,
# re-encoded and rescaled, stays above it; different shots of one scene stay below.
NEAR_DUPLICATE_COSINE = 0.95
