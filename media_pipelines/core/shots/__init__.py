"""Shot boundaries, keyframes and frame features from one decode of the analysis proxy."""
