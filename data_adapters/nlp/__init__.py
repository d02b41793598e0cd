"""Chinese text processing for the public-sentiment work: sentiment, masking, segmentation and
keywords, one module each (no imports here, so each loads only what it needs)."""
