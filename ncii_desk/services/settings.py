"""Vault-wide settings the services read: the thresholds of every match decision.

The request settings (``requests.time_zone``: the clinic's IANA time zone deadlines and letter
dates are shown in, default the computer's own; ``requests.followup_recheck_max_age_hours``:
how recent a re-check must be before a follow-up letter may say the content is still up) are
a second row (key ``requests``), validated the same way.

The thresholds are one ``Setting`` row (key ``thresholds``) inside the vault, so they are
encrypted and travel with the vault; the desktop app's Settings dialog and
``ncii-desk settings`` change the same row. Every service that decides "same picture" or
"same face" reads it when it is not given a threshold explicitly: intake hashing and
matching, web capture, hash-list imports and case analysis. Commands without a vault
(``scan``, ``faces compare``) take their thresholds from their own options only.

A stored value that is not valid (edited by hand, written by another version) is never a
crash: the default is used instead and the result says so in ``warnings``. The value
actually used is recorded in every Match and Analysis row.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Concatenate, Final, ParamSpec, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ncii_desk.documents.clock import system_zone, system_zone_name, zone_named
from ncii_desk.errors import InvalidSetting
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD
from ncii_desk.vault.models import Setting
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision.embedders import EMBEDDERS

_P = ParamSpec("_P")
_R = TypeVar("_R")

THRESHOLDS_KEY: Final = "thresholds"
#: Allowed PDQ distances (bits of 256 that may differ; 31 is the exchange standard).
PDQ_RANGE: Final = (0, 80)
#: Allowed face similarities (the reported scale: cosine, or 1 - distance for dlib): below
#: 0.2 nearly any two faces would match, above 0.9 hardly two photos of the same person would.
FACE_RANGE: Final = (0.2, 0.9)
NAMES: Final = ("pdq_distance", "face_similarity")


def face_similarity_default() -> float:
    from ncii_desk.vision.embedders import similarity_threshold  # no OpenCV or numpy

    return similarity_threshold()


@dataclass
class Thresholds:
    """The decision thresholds in use, with what was wrong with the stored ones."""

    pdq_distance: int = PDQ_DEFAULT_THRESHOLD
    face_similarity: float = field(default_factory=face_similarity_default)
    #: Plain-language notes on stored values that were not valid (the default was used).
    warnings: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def defaults(cls) -> Thresholds:
        return cls()

    @classmethod
    def from_json(cls, data: Any) -> Thresholds:
        """The stored values where valid, else the defaults with a warning for each."""
        out = cls()
        if not isinstance(data, dict):
            if data:
                out.warnings.append(_fallback_note("thresholds", data, "a set of values"))
            return out
        for name in NAMES:
            if name not in data:
                continue
            try:
                setattr(out, name, validate(name, data[name]))
            except InvalidSetting:
                out.warnings.append(_fallback_note(name, data[name], _allowed(name)))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"pdq_distance": self.pdq_distance, "face_similarity": self.face_similarity}


def _allowed(name: str) -> str:
    if name == "pdq_distance":
        return f"a whole number from {PDQ_RANGE[0]} to {PDQ_RANGE[1]}"
    return f"a number from {FACE_RANGE[0]} to {FACE_RANGE[1]}"


def _fallback_note(name: str, value: Any, allowed: str) -> str:
    default = Thresholds.defaults().as_dict().get(name)
    used = f"; the default {default} was used" if default is not None else ""
    return (
        f"The stored threshold '{name}' ({value!r}) is not valid (it must be {allowed}){used}. "
        "Set it again in Settings or with 'ncii-desk settings set', or reset it with "
        "'ncii-desk settings reset'."
    )


def validate(name: str, value: Any) -> int | float:
    """``value`` as the threshold ``name`` takes it; InvalidSetting when it cannot be."""
    if name not in NAMES:
        raise InvalidSetting(
            f"There is no threshold called '{name}'.",
            f"The thresholds are: {', '.join('thresholds.' + n for n in NAMES)}.",
        )
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidSetting(f"'{value}' is not a number.", f"Give {_allowed(name)}.") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidSetting(f"{value!r} is not a number.", f"Give {_allowed(name)}.")
    if name == "pdq_distance":
        low, high = PDQ_RANGE
        if value != int(value) or not low <= value <= high:
            raise InvalidSetting(
                f"{value:g} is not a valid PDQ distance.", f"Give {_allowed(name)}."
            )
        return int(value)
    low_f, high_f = FACE_RANGE
    if not low_f <= value <= high_f:
        raise InvalidSetting(
            f"{value:g} is not a valid face similarity threshold.", f"Give {_allowed(name)}."
        )
    return round(float(value), 4)


def _stored(session: Session, key: str) -> dict[str, Any]:
    """A setting row's value as a table ({} when the row is missing or holds no table)."""
    row = session.get(Setting, key)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def _store(
    vault: CaseStore,
    key: str,
    value: dict[str, Any] | None,
    details: dict[str, Any],
    *,
    merge: bool = False,
    action: str = "setting.changed",
) -> None:
    """Write one setting row in one transaction with its audit event: ``value`` replaces
    the stored table (with ``merge``, its keys are set over the stored ones), and None
    removes the row."""
    with vault.transaction() as s:
        row = s.get(Setting, key)
        if value is None:
            if row is not None:
                s.delete(row)
        else:
            new = {**_stored(s, key), **value} if merge else value
            if row is None:
                s.add(Setting(key=key, value=new))
            else:
                row.value = new
        vault.audit(s, action, key, details)


def thresholds(vault: CaseStore) -> Thresholds:
    """The thresholds every match decision uses by default (stored, else the defaults)."""
    with vault.session() as s:
        row = s.get(Setting, THRESHOLDS_KEY)
        data = row.value if row is not None else {}
    return Thresholds.from_json(data)


def save_thresholds(vault: CaseStore, values: Thresholds) -> Thresholds:
    """Store both thresholds (each validated); an audit event records the new values."""
    clean = Thresholds(
        pdq_distance=int(validate("pdq_distance", values.pdq_distance)),
        face_similarity=float(validate("face_similarity", values.face_similarity)),
    )
    _store(
        vault,
        THRESHOLDS_KEY,
        clean.as_dict(),
        {"fields": sorted(NAMES), "thresholds": clean.as_dict()},
    )
    return clean


def set_threshold(vault: CaseStore, name: str, value: Any) -> Thresholds:
    """Change one threshold (``pdq_distance`` or ``face_similarity``; a ``thresholds.``
    prefix is accepted); the other keeps its current value."""
    key = name.strip().removeprefix("thresholds.")
    current = thresholds(vault)
    setattr(current, key, validate(key, value))
    return save_thresholds(vault, current)


def reset_thresholds(vault: CaseStore) -> Thresholds:
    """Back to the defaults the methods were tested with (the row is removed)."""
    _store(vault, THRESHOLDS_KEY, None, {"thresholds": "defaults"}, action="setting.reset")
    return Thresholds.defaults()


# --- the time-stamp authority (RFC 3161) for evidence packets -------------------------------

TSA_KEY: Final = "packet.tsa"


def tsa_url(vault: CaseStore) -> str | None:
    """The TSA that 'packet --timestamp' asks when no other is given; None until one is set.

    No authority is configured by default: asking one sends the manifest's digest over the
    network, which the clinic must choose to do (docs/documents.md names an example).
    """
    with vault.session() as s:
        url = _stored(s, TSA_KEY).get("url")
    return str(url) if url else None


def check_tsa_url(url: str) -> str:
    """``url`` stripped, or InvalidSetting when it is not an http(s) address with a host."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidSetting(
            f"'{text}' is not the address of a time-stamp authority.",
            "Give its full http:// or https:// address, as the authority publishes it.",
        )
    return text


def set_tsa_url(vault: CaseStore, url: str | None) -> str | None:
    """Store the TSA address (None removes it); an audit event records the change."""
    clean = None if url is None else check_tsa_url(url)
    _store(vault, TSA_KEY, None if clean is None else {"url": clean}, {"tsa_url": clean})
    return clean


# --- capture ---------------------------------------------------------------------------------

CAPTURE_KEY: Final = "capture"
ALLOW_PRIVATE_NAME: Final = "capture.allow_private_addresses"
#: Web captures refuse loopback, private, link-local and other non-public addresses unless
#: this setting is on (server-side request forgery: a page must not make NCII Desk reach into
#: the clinic's computer or network). The test suite, whose web servers all run on
#: 127.0.0.1, turns this default on in tests/conftest.py; its policy tests turn it off.
ALLOW_PRIVATE_DEFAULT = False
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def capture_allows_private(vault: CaseStore) -> bool:
    """Whether web captures of this vault may reach non-public addresses."""
    with vault.session() as s:
        value = _stored(s, CAPTURE_KEY).get("allow_private_addresses")
    return value if isinstance(value, bool) else ALLOW_PRIVATE_DEFAULT


def set_capture_allows_private(vault: CaseStore, value: Any) -> bool:
    """Change ``capture.allow_private_addresses`` (true/false, yes/no, on/off, 1/0)."""
    text = str(value).strip().lower()
    if isinstance(value, bool):
        allowed = value
    elif text in _TRUE or text in _FALSE:
        allowed = text in _TRUE
    else:
        raise InvalidSetting(
            f"'{value}' is not true or false.",
            f"Give true or false for {ALLOW_PRIVATE_NAME}.",
        )
    change = {"allow_private_addresses": allowed}
    _store(vault, CAPTURE_KEY, change, change, merge=True)
    return allowed


# --- request settings: the clinic's time zone and the follow-up recheck age ----------------

REQUESTS_KEY: Final = "requests"
REQUEST_NAMES: Final = ("time_zone", "followup_recheck_max_age_hours")
#: A follow-up may say the content is still up only after a re-check this recent.
FOLLOWUP_RECHECK_DEFAULT_HOURS: Final = 24
FOLLOWUP_RECHECK_RANGE: Final = (1, 24 * 14)


@dataclass
class RequestSettings:
    """How request times are shown and how fresh a re-check a follow-up needs.

    ``time_zone`` is an IANA name, or "" for the computer's own zone (``zone`` is the one in
    use either way).
    """

    time_zone: str = ""
    followup_recheck_max_age_hours: int = FOLLOWUP_RECHECK_DEFAULT_HOURS
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def zone(self) -> tzinfo:
        return zone_named(self.time_zone) if self.time_zone else system_zone()

    @property
    def zone_name(self) -> str:
        return self.time_zone or (system_zone_name() or "UTC")

    def as_dict(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "followup_recheck_max_age_hours": self.followup_recheck_max_age_hours,
        }


def validate_request_setting(name: str, value: Any) -> str | int:
    """``value`` as the request setting ``name`` takes it; InvalidSetting when it cannot be."""
    if name == "time_zone":
        text = str(value).strip()
        if text.lower() in ("", "system", "local"):
            return ""
        zone_named(text)
        return text
    if name == "followup_recheck_max_age_hours":
        low, high = FOLLOWUP_RECHECK_RANGE
        allowed = f"a whole number of hours from {low} to {high}"
        try:
            number = float(str(value).strip())
        except ValueError:
            raise InvalidSetting(f"'{value}' is not a number.", f"Give {allowed}.") from None
        if not math.isfinite(number) or number != int(number) or not low <= number <= high:
            raise InvalidSetting(f"{value} is not a valid age in hours.", f"Give {allowed}.")
        return int(number)
    raise InvalidSetting(
        f"There is no request setting called '{name}'.",
        f"The request settings are: {', '.join('requests.' + n for n in REQUEST_NAMES)}.",
    )


def request_settings(vault: CaseStore) -> RequestSettings:
    """The stored request settings where valid, else the defaults with a warning for each."""
    with vault.session() as s:
        return request_settings_in(s)


def request_settings_in(session: Session) -> RequestSettings:
    """``request_settings`` read in an open session."""
    data = _stored(session, REQUESTS_KEY)
    out = RequestSettings()
    for name in REQUEST_NAMES:
        if name not in data:
            continue
        try:
            setattr(out, name, validate_request_setting(name, data[name]))
        except InvalidSetting as exc:
            out.warnings.append(
                f"The stored setting 'requests.{name}' ({data[name]!r}) is not valid "
                f"({exc.message}); the default was used. Set it again with "
                f"'ncii-desk settings set requests.{name} VALUE'."
            )
    return out


def set_request_setting(vault: CaseStore, name: str, value: Any) -> RequestSettings:
    """Change one request setting (a ``requests.`` prefix is accepted); audited."""
    key = name.strip().removeprefix("requests.")
    clean = validate_request_setting(key, value)
    _store(vault, REQUESTS_KEY, {key: clean}, {"fields": [key], key: clean}, merge=True)
    return request_settings(vault)


# --- the face embedder analysis uses in this vault --------------------------------------------

FACES_KEY: Final = "faces"
#: The face embedders a vault may choose (vision/embedders.py, which loads neither numpy nor
#: OpenCV). The first is the default: dlib's ResNet, whose weights the installer carries.
EMBEDDER_CHOICES: Final = EMBEDDERS
#: What changes when the embedder changes, in one sentence for the Settings dialog.
EMBEDDER_CHANGE_NOTE: Final = (
    "Faces are compared only with reference faces picked with the same model: after a change, "
    "single-face reference photos are picked again automatically at the next analysis, and "
    "photos with several faces must be picked again by hand. Earlier results stay stored."
)


@dataclass(frozen=True)
class EmbedderChoice:
    """Which face embedder analysis uses for a vault, and what decided it."""

    name: str
    #: "command line" (--embedder), "environment" (NCII_DESK_FACE_EMBEDDER), "vault setting"
    #: or "default"
    source: str
    stored: str | None  # the vault's own setting (None: not set)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "stored": self.stored}


def _check_embedder(name: Any) -> str:
    if not isinstance(name, str) or name.strip() not in EMBEDDER_CHOICES:
        raise InvalidSetting(
            f"{name!r} is not a face embedder.",
            f"Choose one of: {', '.join(EMBEDDER_CHOICES)}.",
        )
    return name.strip()


def stored_embedder(vault: CaseStore) -> str | None:
    """The face embedder stored in the vault (None: none stored, or a stored value that is
    not valid, which is then ignored in favour of the default)."""
    with vault.session() as s:
        value = _stored(s, FACES_KEY).get("embedder")
    return value if isinstance(value, str) and value in EMBEDDER_CHOICES else None


def set_embedder(vault: CaseStore, name: str | None) -> str | None:
    """Store the vault's face embedder (None: back to the default); an audit event records
    the change."""
    if name is None:
        _store(vault, FACES_KEY, {"embedder": None}, {"embedder": None}, merge=True)
        return None
    clean = _check_embedder(name)
    _store(vault, FACES_KEY, {"embedder": clean}, {"embedder": clean}, merge=True)
    return clean


def embedder_choice(vault: CaseStore) -> EmbedderChoice:
    """The embedder analysis of this vault uses: a process-wide choice (``--embedder``) or
    NCII_DESK_FACE_EMBEDDER override the vault's setting, which overrides the default."""
    import os

    from ncii_desk.vision import faces as F

    stored = stored_embedder(vault)
    chosen = F.chosen_embedder()
    if chosen is not None:
        return EmbedderChoice(chosen, "command line", stored)
    env = os.environ.get(F.EMBEDDER_ENV, "").strip()
    if env:
        return EmbedderChoice(F.embedder_name(), "environment", stored)
    if stored is not None:
        return EmbedderChoice(stored, "vault setting", stored)
    return EmbedderChoice(F.DEFAULT_EMBEDDER, "default", stored)


@contextmanager
def vault_embedder(vault: CaseStore) -> Iterator[str]:
    """Run the block with the vault's face embedder, unless ``--embedder`` or the environment
    chose one for the whole process (they win). Nested uses leave the outer choice alone."""
    from ncii_desk.vision import faces as F

    choice = embedder_choice(vault)
    if choice.source != "vault setting":
        yield choice.name
        return
    F.use_embedder(choice.name)
    try:
        yield choice.name
    finally:
        F.use_embedder(None)


def uses_vault_embedder(
    fn: Callable[Concatenate[CaseStore, _P], _R],
) -> Callable[Concatenate[CaseStore, _P], _R]:
    """Decorate a service taking the vault first so it runs with :func:`vault_embedder`."""

    @functools.wraps(fn)
    def run(vault: CaseStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with vault_embedder(vault):
            return fn(vault, *args, **kwargs)

    return run


# --- the advocate's name and the screen's colour scheme --------------------------------------

OPERATOR_KEY: Final = "operator"
APPEARANCE_KEY: Final = "appearance"
#: "system" follows the computer's light or dark setting; the others force one.
COLOR_SCHEMES: Final = ("system", "light", "dark")
OPERATOR_MAX = 80


def operator_name(vault: CaseStore) -> str:
    """The name the advocate gave at first run ("" when none was given yet)."""
    with vault.session() as s:
        value = _stored(s, OPERATOR_KEY).get("name")
    return value if isinstance(value, str) else ""


def check_operator_name(name: Any) -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise InvalidSetting(
            "The name is empty.",
            "Type the name colleagues know you by; it is shown in the activity log.",
        )
    if len(clean) > OPERATOR_MAX or any(not ch.isprintable() for ch in clean):
        raise InvalidSetting(
            f"The name is longer than {OPERATOR_MAX} characters or holds control characters.",
            "Use a first name or initials.",
        )
    return clean


def set_operator_name(vault: CaseStore, name: Any) -> str:
    """Store the advocate's name; every later event of this session is recorded under it."""
    clean = check_operator_name(name)
    vault.actor = clean
    _store(vault, OPERATOR_KEY, {"name": clean}, {"fields": ["name"]})
    return clean


def color_scheme(vault: CaseStore) -> str:
    """'system', 'light' or 'dark' (stored, else 'system')."""
    with vault.session() as s:
        value = _stored(s, APPEARANCE_KEY).get("color_scheme")
    return value if value in COLOR_SCHEMES else "system"


def set_color_scheme(vault: CaseStore, scheme: Any) -> str:
    clean = str(scheme or "").strip().lower()
    if clean not in COLOR_SCHEMES:
        raise InvalidSetting(
            f"'{scheme}' is not a colour scheme.", f"Use one of: {', '.join(COLOR_SCHEMES)}."
        )
    _store(vault, APPEARANCE_KEY, {"color_scheme": clean}, {"color_scheme": clean}, merge=True)
    return clean
