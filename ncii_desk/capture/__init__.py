"""Capturing web evidence: a careful fetcher, media links found in pages, WARC records.

Nothing here touches the vault; ``services/capture/`` stores what these modules produce.
"""
