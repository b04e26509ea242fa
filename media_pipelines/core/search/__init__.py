"""Search over shots: image and text encoders, on-screen text, the text a shot is found by, rank fusion."""
