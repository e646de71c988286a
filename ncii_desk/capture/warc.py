"""A WARC file (ISO 28500) of one capture, built in memory.

Every complete HTTP exchange of the capture becomes a ``request`` and a ``response`` record
(linked by ``WARC-Concurrent-To``); a ``warcinfo`` record names the tool and the operator,
and a ``metadata`` record holds the capture summary (times, redirects, TLS certificate,
what was stored and what failed) as JSON.

Choices worth knowing when reading one of these files:

* Digests are SHA-256 (``sha256:`` + base32), not warcio's default SHA-1, which is broken for
  collision resistance.
* The response payload is the body as received, with any ``Content-Encoding`` intact. The
  HTTP client removes chunked transfer coding while reading, so a recorded
  ``Transfer-Encoding`` header is renamed to ``X-Archive-Orig-Transfer-Encoding`` (the
  convention of web archives) to keep the record replayable.
* Exchanges cut short by a limit (too large, too slow) are not archived; the metadata
  record lists them with their error.
* The file is written uncompressed into a memory buffer and stored as one encrypted vault
  blob, so the bytes exported later hash to the SHA-256 recorded at capture time.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from ncii_desk.capture.web import Exchange

WARC_VERSION = "1.1"
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


class _Sha256Writer(WARCWriter):  # type: ignore[misc]
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def _warc_date(value: datetime) -> str:
    return str(datetime_to_iso_date(value.replace(tzinfo=None), use_micros=True))


class WarcBuilder:
    """Collects the records of one capture; :meth:`getvalue` gives the finished file."""

    def __init__(self) -> None:
        self._buf = io.BytesIO()
        self._writer = _Sha256Writer(self._buf, gzip=False, warc_version=WARC_VERSION)
        self.records = 0
        self.response_ids: dict[str, str] = {}

    def add_warcinfo(self, filename: str, info: dict[str, str]) -> None:
        record = self._writer.create_warcinfo_record(filename, info)
        self._writer.write_record(record)
        self.records += 1

    def add_exchange(self, ex: Exchange) -> None:
        """A request record and its response record; incomplete exchanges are skipped."""
        if not ex.complete or ex.status is None:
            return
        common: dict[str, str] = {"WARC-Date": _warc_date(ex.started_at)}
        response_headers = dict(common)
        if ex.server_address:
            response_headers["WARC-IP-Address"] = ex.server_address
        protocols = [ex.http_version.lower()]
        if ex.tls.get("protocol"):
            protocols.append(str(ex.tls["protocol"]).lower().replace("tlsv", "tls/"))
        response_headers["WARC-Protocol"] = ", ".join(protocols)
        if ex.tls.get("cipher"):
            response_headers["WARC-Cipher-Suite"] = str(ex.tls["cipher"])
        http_headers = StatusAndHeaders(
            f"{ex.status} {ex.reason}".strip(),
            [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in ex.response_headers],
            protocol=ex.http_version,
        )
        response = self._writer.create_warc_record(
            ex.url,
            "response",
            payload=io.BytesIO(ex.raw_body),
            length=len(ex.raw_body),
            http_headers=http_headers,
            warc_headers_dict=response_headers,
        )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request_headers = dict(common)
        request_headers["WARC-Concurrent-To"] = response_id
        request = self._writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                ex.request_line, ex.request_headers, is_http_request=True
            ),
            warc_headers_dict=request_headers,
        )
        self._writer.write_record(request)
        self._writer.write_record(response)
        self.records += 2
        self.response_ids.setdefault(ex.url, response_id)

    def add_metadata(self, uri: str, when: datetime, data: dict[str, Any]) -> None:
        payload = json.dumps(data, indent=1, sort_keys=True, default=str).encode("utf-8")
        record = self._writer.create_warc_record(
            uri,
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": _warc_date(when)},
        )
        self._writer.write_record(record)
        self.records += 1

    def getvalue(self) -> bytes:
        return self._buf.getvalue()
