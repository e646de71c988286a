"""How web captures fetch (TLS checks, private addresses, user agent, size limits):
:class:`FetchOptions` re-exported from ``capture.web`` for the callers of
``services.capture`` (the ``capture`` command builds one from its options).

Importing this module loads the HTTP client (httpx): callers load it when they capture.
"""

from __future__ import annotations

from ncii_desk.capture.web import FetchOptions as FetchOptions

__all__ = ["FetchOptions"]
