"""Matching thresholds (kept import-light so the CLI can show them without loading OpenCV)."""

#: PDQ distance at or below which two images are the same picture (the exchange standard).
PDQ_DEFAULT_THRESHOLD = 31
#: PDQ hashes of lower quality come from near-blank images and are not used for matching.
PDQ_MIN_QUALITY = 50
#: pHash (64-bit) distance for a match.
PHASH_DEFAULT_THRESHOLD = 8
