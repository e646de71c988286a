"""Local time with the zone's own daylight-saving rule, and where the computer's time comes from.

Deadlines and letter dates are stored in UTC and shown in the clinic's time zone: an IANA zone
(``America/New_York``) read through ``zoneinfo``, so a time is shown with the offset that zone
has *on that date* (EDT before the first Sunday of November, EST after it), never with the
offset of the moment the program runs. The zone is a vault setting (``requests.time_zone``);
without one, the computer's own IANA zone is used (the TZ variable, /etc/timezone or the
/etc/localtime link), and UTC when none can be found (Windows: set the zone; Python there
reads the zone rules from the ``tzdata`` package).

``clock_source()`` says what the packet's certification may state about the clock: the
system clock, and whether the operating system reports it synchronised by NTP (systemd's
``timedatectl``, else the kernel's ``adjtimex`` state read through ctypes; "unknown" when
neither answers). An RFC 3161 time, when the manifest was stamped by a time-stamping
authority, is added by the caller (``ClockSource.rfc3161_time``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ncii_desk.errors import InvalidSetting

#: A "sent" time this far ahead of the computer's clock is still accepted (clock skew
#: between the advocate's phone or mail server and this computer).
CLOCK_SKEW_MINUTES = 5
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Zulu", "Zulu", "Etc/Universal", "Universal"})


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. America/New_York); InvalidSetting when unknown."""
    text = name.strip()
    try:
        if not text or text.startswith(("/", ".")) or ".." in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        hint = "Give an IANA time zone name such as America/New_York, America/Chicago or UTC."
        if sys.platform == "win32":
            hint += " On Windows the zone rules come from the 'tzdata' package."
        raise InvalidSetting(f"'{name}' is not a known time zone.", hint) from None


def system_zone_name() -> str | None:
    """The computer's own IANA zone name, if it can be found."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            zone_named(name)
        except InvalidSetting:
            continue
        return name
    return None


def system_zone() -> tzinfo:
    name = system_zone_name()
    return zone_named(name) if name else UTC


def zone_label(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def local_text(moment: datetime | None, zone: tzinfo, *, seconds: bool = False) -> str:
    """``moment`` in ``zone`` with that date's abbreviation, e.g. 2026-11-02 19:00 EST."""
    if moment is None:
        return "-"
    local = moment.astimezone(zone)
    abbreviation = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {abbreviation}"


def utc_text(moment: datetime | None, *, seconds: bool = False) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M{':%S' if seconds else ''}} UTC"


def local_and_utc(moment: datetime | None, zone: tzinfo, *, seconds: bool = False) -> str:
    """Local time with UTC beside it: 2026-11-02 19:00 EST (2026-11-03 00:00 UTC); UTC once
    when the zone is UTC."""
    if moment is None:
        return "-"
    utc = utc_text(moment, seconds=seconds)
    if zone_label(zone) in UTC_NAMES:
        return utc
    return f"{local_text(moment, zone, seconds=seconds)} ({utc})"


def parse_local(text: str, zone: tzinfo) -> datetime:
    """A date and time typed by a person: with an offset or Z it is taken as written, without
    one it is a wall-clock time in ``zone`` (its DST rule for that date). A wall-clock time
    that does not exist (skipped by the spring change) or exists twice (the autumn hour) is
    refused, so a deadline is never silently an hour off."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InvalidSetting(
            f"'{text}' is not a date and time.",
            "Use a form like 2026-12-06 14:05 (the clinic's zone, or give --zone) or "
            "2026-12-06T19:05Z.",
        ) from None
    if moment.tzinfo is not None:
        return moment
    early = moment.replace(tzinfo=zone, fold=0)
    late = moment.replace(tzinfo=zone, fold=1)
    back_early = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back_early != moment:
        raise InvalidSetting(
            f"{raw} does not exist in {zone_label(zone)} (the clocks skipped that hour).",
            "Check the time, or give it with its UTC offset.",
        )
    if early.utcoffset() != late.utcoffset():
        raise InvalidSetting(
            f"{raw} happened twice in {zone_label(zone)} (the clocks went back that hour).",
            "Give it with its UTC offset, e.g. -04:00 for the first time or -05:00 for the second.",
        )
    return early


# --- where the computer's time comes from ------------------------------------------------


@dataclass(frozen=True)
class ClockSource:
    """What the certification states about the clock behind the recorded times."""

    clock: str = "the computer's system clock"
    #: "synchronised", "not synchronised" or "unknown".
    ntp: str = "unknown"
    #: How the NTP state was learnt ("timedatectl", "adjtimex") or "" when unknown.
    ntp_method: str = ""
    #: The time-stamping authority's time for the manifest hash (RFC 3161), when the
    #: manifest was stamped; "" when not. Set by the packet build, never guessed.
    rfc3161_time: str = ""
    rfc3161_authority: str = ""

    def with_rfc3161(self, time_text: str, authority: str = "") -> ClockSource:
        return replace(self, rfc3161_time=time_text, rfc3161_authority=authority)

    def sentences(self) -> list[str]:
        ntp = {
            "synchronised": "the operating system reported it synchronised with a network "
            "time server (NTP)",
            "not synchronised": "the operating system reported it NOT synchronised with a "
            "network time server (NTP)",
        }.get(self.ntp, "whether it was synchronised with a network time server is unknown")
        how = f" (read with {self.ntp_method})" if self.ntp_method and self.ntp != "unknown" else ""
        out = [f"Times were taken from {self.clock}; when the packet was built, {ntp}{how}."]
        if self.rfc3161_time:
            by = f" by {self.rfc3161_authority}" if self.rfc3161_authority else ""
            out.append(
                f"The manifest's SHA-256 digest was time-stamped{by} under RFC 3161 at "
                f"{self.rfc3161_time}."
            )
        else:
            out.append("No RFC 3161 time stamp was obtained for this packet's manifest.")
        return out


def _timedatectl() -> str | None:
    tool = shutil.which("timedatectl")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    answer = done.stdout.strip().lower()
    if done.returncode != 0 or answer not in ("yes", "no"):
        return None
    return "synchronised" if answer == "yes" else "not synchronised"


_TIME_ERROR = 5  # adjtimex: the clock is not synchronised


def _adjtimex() -> str | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        buffer = ctypes.create_string_buffer(1024)  # struct timex with modes = 0: read only
        state = int(libc.adjtimex(buffer))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return "not synchronised" if state == _TIME_ERROR else "synchronised"


def clock_source() -> ClockSource:
    """The system clock and its NTP state, as far as the operating system tells."""
    for method, probe in (("timedatectl", _timedatectl), ("adjtimex", _adjtimex)):
        state = probe()
        if state is not None:
            return ClockSource(ntp=state, ntp_method=method)
    return ClockSource()
