"""Where a file added by hand was found online: its own web address and the page it was on.

Advocates often hold pictures a client downloaded or screenshotted, and know where each one
was. Removal letters list a depiction only with an address, so a file added by hand carries
the address given with it in ``details.source_url`` (and ``details.page_url``), the same keys
``services.requests`` reads. At intake the addresses also go into the file's Capture record
and the ``item.added`` event; a later correction (:func:`set_found_at`) changes the item and
records the old and the new addresses in an ``item.source_set`` event (the Capture record
stays as the intake recorded it).

Only complete ``http``/``https`` addresses are accepted; the address is kept as given (only
surrounding spaces removed), since the letter must show exactly what the advocate saw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.items import find_item
from ncii_desk.vault.models import Capture
from ncii_desk.vault.store import CaseStore

SOURCE_SET_ACTION = "item.source_set"
#: Longer than any address a browser shows; a longer one is pasted text, not an address.
MAX_ADDRESS_CHARS = 8192
#: The columns of a sources file (``add --sources FILE.csv``).
CSV_COLUMNS = ("path", "source_url", "page_url")
MAX_CSV_BYTES = 16 * 1024 * 1024

SOURCE_WHAT = "file's own address"
PAGE_WHAT = "address of the page it was on"


class BadAddress(InvalidSetting):
    """A web address given for a file is not a complete http(s) address."""

    default_hint = (
        "Copy the address from the browser's address bar; it starts with https:// (or "
        "http://). For a screenshot, give the address of the page."
    )


def _shown(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "..."


def check_address(text: str, what: str = SOURCE_WHAT) -> str:
    """``text`` without surrounding spaces, if it is a complete http or https address."""
    value = text.strip()
    if not value:
        raise BadAddress(f"The {what} is empty.")
    if len(value) > MAX_ADDRESS_CHARS:
        raise BadAddress(f"The {what} is longer than {MAX_ADDRESS_CHARS} characters.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise BadAddress(
            f"The {what} '{_shown(value)}' has spaces or line breaks in it; a web address has "
            "none (perhaps two addresses or some text were pasted together)."
        )
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(
        f"{parts.scheme.lower()}://"
    ):
        raise BadAddress(
            f"The {what} '{_shown(value)}' is not a web address: it must start with "
            "https:// or http://."
        )
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - reading it checks the port number
    except ValueError:
        raise BadAddress(
            f"The {what} '{_shown(value)}' is not a complete web address (the site's name or "
            "port cannot be read)."
        ) from None
    if not host or any(c in host for c in "%\\<>\"'{}|^`"):
        raise BadAddress(
            f"The {what} '{_shown(value)}' is not a complete web address: the site's name "
            "is missing or not valid."
        )
    return value


@dataclass(frozen=True)
class FoundAt:
    """Where one file was found: its own address, and the page it was on ('' if none)."""

    source_url: str
    page_url: str = ""

    def checked(self) -> FoundAt:
        """The same addresses, checked (:class:`BadAddress` names the one that is wrong)."""
        source = check_address(self.source_url, SOURCE_WHAT)
        page = check_address(self.page_url, PAGE_WHAT) if self.page_url.strip() else ""
        return FoundAt(source, page)

    def as_details(self) -> dict[str, str]:
        """The keys an item's details (and its Capture record) hold."""
        page = {"page_url": self.page_url} if self.page_url else {}
        return {"source_url": self.source_url} | page

    @classmethod
    def of(cls, details: Mapping[str, Any] | None) -> FoundAt | None:
        details = details or {}
        source = str(details.get("source_url") or "")
        return cls(source, str(details.get("page_url") or "")) if source else None


#: Resolved file path -> where it was found (addresses not yet checked: intake checks them
#: per file, so one bad address stops only its own file).
SourceMap = dict[Path, FoundAt]


def _csv_error(path: Path, message: str) -> InvalidSetting:
    return InvalidSetting(
        f"The sources file {path}: {message}",
        "Use a CSV file with the columns path,source_url,page_url (a header line first; "
        "page_url may be empty). Paths are the files' paths, absolute or from the CSV "
        "file's folder.",
    )


def read_sources_csv(path: Path) -> SourceMap:
    """A sources file: one row per file (path, source_url, page_url). A relative path is
    taken from the CSV file's folder. A row with both addresses empty gives no address;
    a row with only a page address is kept, and intake then names it as an error."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise _csv_error(path, f"it is larger than {MAX_CSV_BYTES // 1024**2} MiB.")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _csv_error(path, "it is not UTF-8 text (save it as 'CSV UTF-8').") from None
    except OSError as exc:
        raise _csv_error(path, f"it cannot be read ({exc.strerror or exc}).") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "path" not in header or "source_url" not in header:
            raise _csv_error(path, "its first line must name the columns path and source_url.")
        unknown = [h for h in header if h and h not in CSV_COLUMNS]
        if unknown:
            raise _csv_error(path, f"unknown column(s): {', '.join(unknown)}.")
        where = {name: header.index(name) for name in CSV_COLUMNS if name in header}
        base = path.resolve().parent
        found: SourceMap = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
            if not cells["path"]:
                raise _csv_error(path, f"line {reader.line_num} has no path.")
            if not cells["source_url"] and not cells.get("page_url"):
                continue
            target = (base / Path(cells["path"]).expanduser()).resolve()
            entry = FoundAt(cells["source_url"], cells.get("page_url", ""))
            if found.get(target, entry) != entry:
                raise _csv_error(
                    path, f"line {reader.line_num} gives other addresses for a file listed before."
                )
            found[target] = entry
    except csv.Error as exc:
        raise _csv_error(path, f"line {reader.line_num} cannot be read ({exc}).") from None
    return found


# --- setting or correcting it later ----------------------------------------------------------


@dataclass(frozen=True)
class SourceChange:
    item_id: str
    old: dict[str, str]
    new: dict[str, str]
    changed: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pair(found: FoundAt | None) -> dict[str, str]:
    return {
        "source_url": found.source_url if found else "",
        "page_url": found.page_url if found else "",
    }


def set_found_at(
    vault: CaseStore, item_ref: str, source_url: str, page_url: str | None = None
) -> SourceChange:
    """Set or correct where a file added by hand was found. ``page_url`` None keeps the page
    address recorded; '' removes it. The change is an ``item.source_set`` audit event with
    the old and the new addresses; nothing changes (and nothing is recorded) when both are
    the same as before."""
    with vault.transaction() as s:
        item = find_item(s, item_ref)
        access.require(vault, item.case_id, access.Action.ITEM_EDIT)
        capture = s.get(Capture, item.capture_id) if item.capture_id else None
        if capture is not None and (capture.details or {}).get("kind", "web") == "web":
            raise NciiDeskError(
                "This item was captured from the web: its address was recorded by the capture "
                f"({_shown(capture.url)}) and cannot be changed.",
                "Only files added by hand take an address. If the capture is of the wrong "
                "page, capture the right one.",
            )
        details = dict(item.details or {})
        before = FoundAt.of(details)
        page = (before.page_url if before else "") if page_url is None else page_url
        after = FoundAt(source_url, page).checked()
        old, new = _pair(before), _pair(after)
        if old == new:
            return SourceChange(item.id, old, new, changed=False)
        details.pop("page_url", None)
        item.details = details | after.as_details()
        vault.audit(
            s,
            SOURCE_SET_ACTION,
            item.id,
            {"case_id": item.case_id, "sha256": item.sha256, "old": old, "new": new},
        )
        return SourceChange(item.id, old, new, changed=True)
