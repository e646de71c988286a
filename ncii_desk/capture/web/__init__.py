"""Fetching one web address carefully, and recording everything a court may ask about it.

Why the fetcher is built the way it is:

* Redirects are followed here, one hop at a time, so every hop (address, status, headers,
  server address, time) is recorded and a loop is noticed instead of being walked for ever.
* httpx's timeouts bound each connect and each read, but a server that drips one byte a
  second never trips them. The connections therefore run through a network backend of our
  own that shortens every read and write to what is left of a total deadline per resource,
  and that also bounds the name lookup (the system resolver has no timeout of its own).
* Only ``http`` and ``https`` are fetched. Names under ``.invalid`` (RFC 6761) never reach a
  resolver at all.
* Non-public addresses are refused (server-side request forgery): every hop's name is
  resolved once, each resolved address is checked by ``address_problem`` (loopback, private,
  link-local incl. the cloud metadata address 169.254.169.254, multicast, reserved, 0.0.0.0,
  shared/CGNAT, documentation; IPv4-mapped IPv6 is judged as the IPv4 address it carries),
  and the connection is made to that same checked address, so a name cannot answer "public"
  to the check and "private" to the connect (DNS rebinding). A refused hop stays in the
  record with the reason. ``FetchOptions.allow_private_addresses`` turns the check off (the
  vault setting ``capture.allow_private_addresses``, or ``capture --allow-private``).
  A redirect to another port of a public host is followed (CDNs do it) and recorded like
  every hop. Through a proxy the proxy itself connects: the name is then resolved here and
  refused if any of its addresses is non-public, which cannot stop a proxy that resolves
  it differently.
* Proxies come from the environment (and, on Windows and macOS, the system settings) the
  way browsers use them; cookies are off unless asked for; ``~/.netrc`` is never read.
* TLS is verified unless the person explicitly turns it off for one capture; either way the
  certificate the server showed (subject, issuer, SHA-256 fingerprint) is recorded.
* Bodies are read as a stream under a size cap; a response over the cap is dropped whole.

The work is split by what it does: ``exchange`` holds the options and what one request and
response recorded (with the server's certificate); ``network`` is the guarded network backend
(addresses refused, a total deadline per resource, no cookies); ``fetcher`` is the fetcher itself,
its checks of an address, content encodings and errors in plain words. Every public name is
importable from this package, as it was from the one module before.
"""

from ncii_desk.capture.web.exchange import (
    ALLOWED_SCHEMES,
    DEFAULT_USER_AGENT,
    MEDIA_ACCEPT,
    PAGE_ACCEPT,
    READ_CHUNK,
    REDIRECT_CODES,
    Exchange,
    Expect,
    Fetched,
    FetchOptions,
    certificate_info,
    hashes_sha256,
    tool_versions,
    utcnow,
)
from ncii_desk.capture.web.fetcher import (
    Fetcher,
    check_url,
    normalise_address,
)
from ncii_desk.capture.web.network import (
    AddressRefused,
    address_problem,
)

__all__ = [
    "ALLOWED_SCHEMES",
    "DEFAULT_USER_AGENT",
    "MEDIA_ACCEPT",
    "PAGE_ACCEPT",
    "READ_CHUNK",
    "REDIRECT_CODES",
    "AddressRefused",
    "Exchange",
    "Expect",
    "FetchOptions",
    "Fetched",
    "Fetcher",
    "address_problem",
    "certificate_info",
    "check_url",
    "hashes_sha256",
    "normalise_address",
    "tool_versions",
    "utcnow",
]
