"""Perceptual-hash tools: exact Hamming-radius matching of PDQ and pHash hash lists."""
