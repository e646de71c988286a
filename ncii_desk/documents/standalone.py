#!/usr/bin/env python3
"""verify_packet.py: check an NCII Desk evidence packet with nothing but Python 3.9 or newer.

    python3 verify_packet.py PACKET_FOLDER_OR_ZIP [--expect-key FINGERPRINT] [--without-sealed]

Nothing needs installing and nothing is written: files are read and hashed where they are,
ZIP members as they stream out of the archive. What it checks:

* every file listed in manifest.json is present, with the SHA-256 digest and size listed;
  no file is there that the manifest does not list; manifest.csv and sealed/manifest.csv
  agree with manifest.json;
* manifest.sig: the Ed25519 signature made by the clinic's vault over the SHA-256 digests of
  manifest.json and manifest.csv. Anyone who rewrites a file and then every manifest to match
  cannot make this signature again without the vault. It prints the signing key's
  fingerprint: compare it with the one the clinic published (or pass --expect-key);
* manifest.tst, when present: the RFC 3161 time-stamp token. This script checks that the
  token is about this manifest.json (its message imprint equals the manifest's SHA-256) and
  shows the time and the authority named in it. It does NOT check the authority's
  signature on the token or its certificate: use 'ncii-desk verify' or
  'openssl ts -verify' for that.

Exit status: 0 every check passed, 1 a check failed, 2 the command was used wrongly.

This file is shipped inside every packet and listed in its manifest; it is generated from
the NCII Desk module ncii_desk/documents/standalone.py, where it is tested.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import stat
import sys
import zipfile
import zlib

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
SIGNATURE_FILE = "manifest.sig"
TIMESTAMP_FILE = "manifest.tst"
#: Files at the packet's top that no manifest lists (a file cannot list its own digest, and
#: the signature and time stamp are made after the manifests).
UNLISTED = (MANIFEST_JSON, MANIFEST_CSV, SIGNATURE_FILE, TIMESTAMP_FILE)
SEALED_DIR = "sealed"
FORMAT = "ncii-desk-packet-manifest/1"
SIGNATURE_FORMAT = "ncii-desk-packet-signature/1"
SIGNED_FILES = (MANIFEST_JSON, MANIFEST_CSV)
SHA256_OID = "2.16.840.1.101.3.4.2.1"
_HEX = frozenset("0123456789abcdef")
_BLOCK = 1024 * 1024


# --- what is signed ---------------------------------------------------------------------------


def signed_statement(digests: dict[str, str]) -> bytes:
    """The bytes the clinic's key signs: the format line, then "<sha256>  <file>" per file."""
    lines = [SIGNATURE_FORMAT]
    for name in SIGNED_FILES:
        lines.append(digests[name] + "  " + name)
    return ("\n".join(lines) + "\n").encode("ascii")


def fingerprint(public_key: bytes) -> str:
    """The first 20 bytes of SHA-256 of the raw public key, base32 in groups of four."""
    text = base64.b32encode(hashlib.sha256(public_key).digest()[:20]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normal_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, spaces or dashes) in the form fingerprint() gives."""
    plain = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


# --- Ed25519 signature verification (RFC 8032, section 5.1.7), in plain integers ------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_D2 = 2 * _D % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
# A point is (X, Y, Z, T) in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z.
_IDENTITY = (0, 1, 1, 0)


def _x_from_y(y: int, odd: int) -> int | None:
    """The x of the curve point with this y whose lowest bit is ``odd``; None if none."""
    if y >= _P:
        return None
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if xx == 0:
        return None if odd else 0
    x = pow(xx, (_P + 3) // 8, _P)
    if (x * x - xx) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - xx) % _P:
        return None
    if x & 1 != odd:
        x = _P - x
    return x


def _decode_point(data: bytes) -> tuple[int, int, int, int] | None:
    value = int.from_bytes(data, "little")
    odd = value >> 255
    y = value & ((1 << 255) - 1)
    x = _x_from_y(y, odd)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _encode_point(point: tuple[int, int, int, int]) -> bytes:
    big_x, big_y, big_z, _ = point
    inverse = pow(big_z, _P - 2, _P)
    x = big_x * inverse % _P
    y = big_y * inverse % _P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _add(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Sum of two points (the unified formula of RFC 8032 5.1.4; also doubles)."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = p[3] * _D2 * q[3] % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(k: int, point: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    result = _IDENTITY
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


_BASE_Y = 4 * pow(5, _P - 2, _P) % _P
_BASE_X = _x_from_y(_BASE_Y, 0) or 0
_BASE = (_BASE_X, _BASE_Y, 1, _BASE_X * _BASE_Y % _P)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public_key``.

    R' = [S]B - [h]A must encode to the signature's first half R, where
    h = SHA-512(R || A || message) mod L; S must be below L.
    """
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public_key)
    if a is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    minus_a = ((_P - a[0]) % _P, a[1], a[2], (_P - a[3]) % _P)
    r = _add(_multiply(s, _BASE), _multiply(h % _L, minus_a))
    return _encode_point(r) == signature[:32]


# --- the little DER needed to read an RFC 3161 time-stamp token ----------------------------------


class DerError(ValueError):
    """The bytes are not the DER structure expected."""


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the element at ``pos``."""
    if pos + 2 > end:
        raise DerError("truncated element")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("unexpected multi-byte tag")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise DerError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise DerError("element runs past its container")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    pos = start
    while pos < end:
        tag, s, e = _tlv(data, pos, end)
        out.append((tag, s, e))
        pos = e
    return out


def _oid(data: bytes) -> str:
    if not data:
        raise DerError("empty object identifier")
    first = data[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in data[1:]:
        value = value << 7 | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _expect(item: tuple[int, int, int], tag: int, what: str) -> tuple[int, int, int]:
    if item[0] != tag:
        raise DerError(f"{what} is not where a time-stamp token has it")
    return item


_NAME_KEYS = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.7": "L"}


def _text(tag: int, raw: bytes) -> str:
    if tag == 0x1E:
        return raw.decode("utf-16-be", "replace")
    if tag == 0x14:
        return raw.decode("latin-1")
    return raw.decode("utf-8", "replace")


def _general_name(data: bytes, start: int, end: int) -> str:
    """A GeneralName as text: a directory name as "CN=..., O=...", a URI or DNS name as is."""
    tag, s, e = _tlv(data, start, end)
    if tag in (0x82, 0x86, 0x81):
        return data[s:e].decode("utf-8", "replace")
    if tag != 0xA4:
        return "(a name of a kind this script does not show)"
    _, ns, ne = _expect(_tlv(data, s, e), 0x30, "the name")
    parts = []
    for _, rs, re_ in _children(data, ns, ne):
        for _, as_, ae in _children(data, rs, re_):
            kids = _children(data, as_, ae)
            if len(kids) == 2 and kids[0][0] == 0x06:
                key = _NAME_KEYS.get(_oid(data[kids[0][1] : kids[0][2]]), "")
                if key:
                    parts.append(key + "=" + _text(kids[1][0], data[kids[1][1] : kids[1][2]]))
    return ", ".join(parts) or "(an empty name)"


def read_timestamp(token: bytes) -> dict[str, str]:
    """The message imprint (hash OID, hex digest), genTime and TSA name of a token.

    ``token`` is a TimeStampToken (CMS ContentInfo with SignedData holding a TSTInfo), or a
    whole TimeStampResp, whose token is then taken. Raises DerError if it is neither.
    """
    _, s, e = _expect(_tlv(token, 0, len(token)), 0x30, "the outer sequence")
    kids = _children(token, s, e)
    if kids and kids[0][0] == 0x30:  # a TimeStampResp: status first, then the token
        if len(kids) < 2:
            raise DerError("the time-stamp response holds no token")
        s, e = kids[1][1], kids[1][2]
        kids = _children(token, s, e)
    if len(kids) < 2 or kids[0][0] != 0x06:
        raise DerError("no content type")
    if _oid(token[kids[0][1] : kids[0][2]]) != "1.2.840.113549.1.7.2":
        raise DerError("it is not CMS signed data")
    _, s, e = _expect(kids[1], 0xA0, "the signed data")
    _, s, e = _expect(_tlv(token, s, e), 0x30, "the signed data")
    signed = _children(token, s, e)
    if len(signed) < 3:
        raise DerError("the signed data is incomplete")
    _, s, e = _expect(signed[2], 0x30, "the encapsulated content")
    encap = _children(token, s, e)
    if len(encap) < 2 or _oid(token[encap[0][1] : encap[0][2]]) != "1.2.840.113549.1.9.16.1.4":
        raise DerError("the signed content is not a TSTInfo")
    _, s, e = _expect(encap[1], 0xA0, "the TSTInfo")
    tag, s, e = _tlv(token, s, e)
    if tag == 0x24:  # constructed OCTET STRING (BER); join its pieces
        info = b"".join(token[ps:pe] for _, ps, pe in _children(token, s, e))
    else:
        _expect((tag, s, e), 0x04, "the TSTInfo")
        info = token[s:e]
    _, s, e = _expect(_tlv(info, 0, len(info)), 0x30, "the TSTInfo")
    fields = _children(info, s, e)
    if len(fields) < 5:
        raise DerError("the TSTInfo is incomplete")
    _, s, e = _expect(fields[2], 0x30, "the message imprint")
    imprint = _children(info, s, e)
    if len(imprint) != 2:
        raise DerError("the message imprint is malformed")
    _, as_, ae = _expect(imprint[0], 0x30, "the imprint's hash algorithm")
    alg = _children(info, as_, ae)
    hash_oid = _oid(info[alg[0][1] : alg[0][2]]) if alg and alg[0][0] == 0x06 else ""
    _, hs, he = _expect(imprint[1], 0x04, "the hashed message")
    _, gs, ge = _expect(fields[4], 0x18, "the time (genTime)")
    gen = info[gs:ge].decode("ascii", "replace")
    tsa = ""
    for tag, ts, te in fields[5:]:
        if tag == 0xA0:
            tsa = _general_name(info, ts, te)
    return {
        "hash_oid": hash_oid,
        "hashed_message": info[hs:he].hex(),
        "gen_time": gen,
        "gen_time_utc": _gen_time_text(gen),
        "tsa": tsa,
    }


def _gen_time_text(raw: str) -> str:
    """ "20261206201500.25Z" as "2026-12-06 20:15:00.25 UTC" (as written, never rounded)."""
    if len(raw) < 15 or not raw.endswith("Z") or not raw[:14].isdigit():
        return raw
    r = raw[:-1]
    return f"{r[0:4]}-{r[4:6]}-{r[6:8]} {r[8:10]}:{r[10:12]}:{r[12:14]}{r[14:]} UTC"


# --- reading a packet: a folder or a ZIP ---------------------------------------------------------


class Packet:
    """The files of a packet by relative path, and problems found while listing them."""

    def __init__(self) -> None:
        self.files: dict[str, object] = {}  # name -> a full path (str) or a zipfile.ZipInfo
        self.problems: list[tuple[str, str]] = []
        self.zip: zipfile.ZipFile | None = None

    def open(self, name: str) -> io.BufferedIOBase:
        where = self.files[name]
        if isinstance(where, zipfile.ZipInfo):
            assert self.zip is not None
            return self.zip.open(where)  # type: ignore[return-value]
        return open(str(where), "rb")

    def read(self, name: str) -> bytes | None:
        if name not in self.files:
            return None
        with self.open(name) as fh:
            return fh.read()

    def digest(self, name: str) -> tuple[str, int]:
        sha = hashlib.sha256()
        size = 0
        with self.open(name) as fh:
            while True:
                block = fh.read(_BLOCK)
                if not block:
                    break
                sha.update(block)
                size += len(block)
        return sha.hexdigest(), size


def safe_name(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or "\x00" in name:
        return False
    parts = name.split("/")
    return not any(p in ("", ".", "..") for p in parts) and ":" not in parts[0]


def read_folder(root: str) -> Packet:
    packet = Packet()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirpath, name)):
                dirnames.remove(name)
                filenames.append(name)
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            mode = os.lstat(full).st_mode
            if stat.S_ISREG(mode):
                packet.files[rel] = full
            else:
                kind = "a link" if stat.S_ISLNK(mode) else "not a plain file"
                packet.problems.append((rel, "is " + kind))
    return packet


def zip_entry_kind(info: zipfile.ZipInfo) -> str:
    """ "dir", "file", "link" or "special" for a ZIP entry.

    Only the file-type bits of the Unix mode are trusted: many ZIP tools write no mode at
    all, or only permission bits (0o600), which still means a plain file. A directory may
    be marked by a trailing "/", a Unix directory mode or the MS-DOS directory attribute.
    """
    kind = stat.S_IFMT((info.external_attr >> 16) & 0xFFFF)
    if info.filename.endswith("/") or kind == stat.S_IFDIR:
        return "dir"
    if info.create_system == 0 and info.external_attr & 0x10 and info.file_size == 0:
        return "dir"
    if kind == stat.S_IFLNK:
        return "link"
    if kind and kind != stat.S_IFREG:
        return "special"
    return "file"


def zip_entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's path with "/" separators (old Windows tools wrote "\\")."""
    if info.create_system == 0:
        return info.filename.replace("\\", "/")
    return info.filename


def read_zip(zf: zipfile.ZipFile) -> Packet:
    packet = Packet()
    packet.zip = zf
    entries = []
    for info in zf.infolist():
        kind = zip_entry_kind(info)
        if kind != "dir":
            entries.append((zip_entry_name(info), kind, info))
    names = {name for name, _, _ in entries}
    prefix = ""
    if MANIFEST_JSON not in names and MANIFEST_CSV not in names:
        tops = sorted({name.split("/", 1)[0] for name in names})
        found = [
            t for t in tops if t + "/" + MANIFEST_JSON in names or t + "/" + MANIFEST_CSV in names
        ]
        if len(found) == 1:
            prefix = found[0] + "/"
    for name, kind, info in entries:
        if not safe_name(name):
            packet.problems.append((name, "unsafe path inside the ZIP (absolute or with '..')"))
            continue
        if prefix and not name.startswith(prefix):
            packet.problems.append((name, "extra: outside the packet folder in the ZIP"))
            continue
        rel = name[len(prefix) :]
        if rel in packet.files:
            packet.problems.append((rel, "appears more than once in the ZIP"))
        elif kind != "file":
            packet.problems.append(
                (rel, "is " + ("a link" if kind == "link" else "a special file"))
            )
        else:
            packet.files[rel] = info
    return packet


# --- the checks -------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []  # (status, file, text)
        self.failed = False
        self.signer = ""

    def ok(self, name: str, text: str = "") -> None:
        self.lines.append(("OK", name, text))

    def fail(self, name: str, text: str) -> None:
        self.failed = True
        self.lines.append(("FAILED", name, text))

    def note(self, name: str, text: str) -> None:
        self.lines.append(("NOTE", name, text))


def _csv_entries(data: bytes) -> dict[str, tuple[str, int]] | str:
    """path -> (sha256, size) of an NCII Desk manifest.csv, or what is wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(body))
    if not rows or rows[0] != ["path", "sha256", "size"]:
        return "its header row is not 'path,sha256,size'"
    out: dict[str, tuple[str, int]] = {}
    for row in rows[1:]:
        if len(row) != 3 or not row[2].isdigit():
            return "a row does not have a path, a digest and a size"
        out[row[0]] = (row[1].lower(), int(row[2]))
    return out


def _listed(doc: object) -> dict[str, tuple[str, int]] | str:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return "it is not an NCII Desk packet manifest (" + FORMAT + ")"
    files = doc.get("files")
    if not isinstance(files, list):
        return "it has no list of files"
    out: dict[str, tuple[str, int]] = {}
    for entry in files:
        if not isinstance(entry, dict):
            return "an entry of its file list is not an object"
        path, digest, size = (
            entry.get("path"),
            str(entry.get("sha256", "")).lower(),
            entry.get("size"),
        )
        if not isinstance(path, str) or not safe_name(path):
            return "it lists an unsafe or empty path: " + repr(path)
        if len(digest) != 64 or not set(digest) <= _HEX or not isinstance(size, int) or size < 0:
            return "its entry for " + path + " has no valid SHA-256 and size"
        out[path] = (digest, size)
    return out


def check_signature(packet: Packet, report: Report, expect_key: str, recorded_key: str) -> None:
    raw = packet.read(SIGNATURE_FILE)
    if raw is None:
        report.fail(
            SIGNATURE_FILE,
            "missing: the packet is not signed, so a consistent rewrite of files and "
            "manifests could not be told apart from the original",
        )
        return
    try:
        sig = json.loads(raw.decode("utf-8"))
        if not isinstance(sig, dict) or sig.get("format") != SIGNATURE_FORMAT:
            raise ValueError("not " + SIGNATURE_FORMAT)
        if sig.get("alg") != "Ed25519":
            raise ValueError("the algorithm is not Ed25519")
        public_key = base64.b64decode(str(sig["public_key"]), validate=True)
        signature = base64.b64decode(str(sig["signature"]), validate=True)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        report.fail(SIGNATURE_FILE, "cannot be read: " + str(exc))
        return
    fp = fingerprint(public_key)
    report.signer = fp
    if sig.get("fingerprint") and normal_fingerprint(str(sig["fingerprint"])) != fp:
        report.fail(SIGNATURE_FILE, "the fingerprint it states is not that of its public key")
    digests = {}
    for name in SIGNED_FILES:
        if name not in packet.files:
            report.fail(SIGNATURE_FILE, "cannot be checked: " + name + " is missing")
            return
        digests[name] = packet.digest(name)[0]
    if not ed25519_verify(public_key, signed_statement(digests), signature):
        report.fail(
            SIGNATURE_FILE,
            "the signature does not match manifest.json and manifest.csv: the manifests were "
            "changed after signing (or the signature was)",
        )
        return
    if recorded_key and normal_fingerprint(recorded_key) != fp:
        report.fail(SIGNATURE_FILE, "signed by key " + fp + ", not the key manifest.json names")
        return
    if expect_key and normal_fingerprint(expect_key) != fp:
        report.fail(
            SIGNATURE_FILE,
            "signed by a different key: "
            + fp
            + " (expected "
            + normal_fingerprint(expect_key)
            + ")",
        )
        return
    how = "the key you gave" if expect_key else "compare it with the clinic's published fingerprint"
    report.ok(
        SIGNATURE_FILE, "valid Ed25519 signature of both manifests by key " + fp + " (" + how + ")"
    )


def check_timestamp(packet: Packet, report: Report) -> None:
    raw = packet.read(TIMESTAMP_FILE)
    if raw is None:
        report.note(TIMESTAMP_FILE, "no RFC 3161 time stamp in this packet")
        return
    try:
        stamp = read_timestamp(raw)
    except (DerError, IndexError, UnicodeDecodeError) as exc:
        report.fail(TIMESTAMP_FILE, "cannot be read as an RFC 3161 time-stamp token: " + str(exc))
        return
    if stamp["hash_oid"] != SHA256_OID:
        report.fail(TIMESTAMP_FILE, "its message imprint is not a SHA-256 digest")
        return
    if MANIFEST_JSON not in packet.files:
        report.fail(TIMESTAMP_FILE, "cannot be checked: manifest.json is missing")
        return
    if stamp["hashed_message"] != packet.digest(MANIFEST_JSON)[0]:
        report.fail(
            TIMESTAMP_FILE,
            "its message imprint is not the SHA-256 of this manifest.json: the manifest "
            "was changed after it was time-stamped, or the token belongs to another packet",
        )
        return
    who = stamp["tsa"] or "not named in the token"
    report.ok(
        TIMESTAMP_FILE,
        "time stamp of this manifest.json, time "
        + stamp["gen_time_utc"]
        + ", authority "
        + who
        + ". This script does not check the authority's signature or certificate",
    )


def check_sealed_alone(packet: Packet, report: Report) -> None:
    """A sealed volume filed on its own: only its manifest.csv, which the main packet signs."""
    data = packet.read(MANIFEST_CSV)
    if data is None or "# volume: sealed" not in data.decode("utf-8", "replace"):
        report.fail(MANIFEST_JSON, "missing: no manifest.json at the top of the packet")
        return
    listed = _csv_entries(data)
    if isinstance(listed, str):
        report.fail(MANIFEST_CSV, "cannot be read: " + listed)
        return
    for name in sorted(set(packet.files) | set(listed)):
        if name == MANIFEST_CSV:
            continue
        if name not in listed:
            report.fail(name, "extra: not listed in the manifest")
        elif name not in packet.files:
            report.fail(name, "missing: listed in the manifest but not in the volume")
        elif packet.digest(name) != listed[name]:
            report.fail(name, "changed: its SHA-256 or size is not the one listed")
        else:
            report.ok(name, "SHA-256 " + listed[name][0])
    digest = hashlib.sha256(data).hexdigest()
    report.note(
        MANIFEST_CSV,
        "a sealed volume carries no signature of its own; its SHA-256 is "
        + digest
        + ": compare it with sealed/manifest.csv in the main packet's signed manifest.json",
    )


def check(
    packet: Packet, report: Report, expect_key: str = "", without_sealed: bool = False
) -> None:
    for name, problem in packet.problems:
        report.fail(name, problem)
    data = packet.read(MANIFEST_JSON)
    if data is None:
        check_sealed_alone(packet, report)
        return
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        report.fail(MANIFEST_JSON, "cannot be read: it is not valid JSON (" + str(exc) + ")")
        return
    listed = _listed(doc)
    if isinstance(listed, str):
        report.fail(MANIFEST_JSON, "cannot be read: " + listed)
        return
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    recorded_key = str(info.get("signing_key") or "")
    csv_data = packet.read(MANIFEST_CSV)
    if csv_data is None:
        report.fail(MANIFEST_CSV, "missing: the packet should have it next to manifest.json")
    else:
        from_csv = _csv_entries(csv_data)
        if isinstance(from_csv, str):
            report.fail(MANIFEST_CSV, "cannot be read: " + from_csv)
        elif from_csv != listed:
            report.fail(MANIFEST_CSV, "does not list the same files and digests as manifest.json")
        else:
            report.ok(MANIFEST_CSV, "agrees with manifest.json")
    sealed = [p for p in listed if p.startswith(SEALED_DIR + "/")]
    skip_sealed = (
        without_sealed
        and bool(sealed)
        and not any(n.startswith(SEALED_DIR + "/") for n in packet.files)
    )
    if skip_sealed:
        report.note(SEALED_DIR + "/", "not part of this copy; its files were not checked")
    for name in sorted(packet.files):
        if name in UNLISTED:
            continue
        if name not in listed:
            report.fail(name, "extra: not listed in the manifest")
            continue
        digest, size = packet.digest(name)
        want_digest, want_size = listed[name]
        if size != want_size:
            report.fail(name, f"changed: {size} bytes, the manifest says {want_size}")
        elif digest != want_digest:
            report.fail(
                name, "changed: SHA-256 is " + digest + ", the manifest says " + want_digest
            )
        else:
            report.ok(name, "SHA-256 " + digest)
    for name in sorted(listed):
        if name not in packet.files and not (skip_sealed and name in sealed):
            report.fail(name, "missing: listed in the manifest but not in the packet")
    inner_name = SEALED_DIR + "/" + MANIFEST_CSV
    inner_data = packet.read(inner_name) if sealed and not skip_sealed else None
    if inner_data is not None:
        inner = _csv_entries(inner_data)
        expected = {
            p[len(SEALED_DIR) + 1 :]: v
            for p, v in listed.items()
            if p in sealed and p != inner_name
        }
        if inner != expected:
            report.fail(
                inner_name, "does not list the same sealed files and digests as manifest.json"
            )
    check_signature(packet, report, expect_key, recorded_key)
    check_timestamp(packet, report)


def verify(path: str, expect_key: str = "", without_sealed: bool = False) -> Report:
    """Check the packet folder or ZIP at ``path``; the report says what passed and failed."""
    report = Report()
    if os.path.isdir(path):
        check(read_folder(path), report, expect_key, without_sealed)
        return report
    try:
        with zipfile.ZipFile(path) as zf:
            check(read_zip(zf), report, expect_key, without_sealed)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        report.fail(os.path.basename(path), "cannot be read as a ZIP archive (" + str(exc) + ")")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_packet.py",
        description="Check an NCII Desk evidence packet (folder or ZIP) against its manifest, "
        "its signature and its time stamp. Needs only Python 3.9+; writes nothing.",
    )
    parser.add_argument("packet", help="the packet folder (holding manifest.json) or its ZIP")
    parser.add_argument(
        "--expect-key",
        default="",
        metavar="FINGERPRINT",
        help="fail unless the packet is signed by the key with this fingerprint",
    )
    parser.add_argument(
        "--without-sealed",
        action="store_true",
        help="the sealed/ folder was separated on purpose: do not count it as missing",
    )
    args = parser.parse_args(argv)
    if args.expect_key and len(normal_fingerprint(args.expect_key)) != 39:
        parser.error("--expect-key takes a fingerprint: 32 letters and digits, as printed")
    if not os.path.exists(args.packet):
        parser.print_usage(sys.stderr)
        sys.stderr.write("verify_packet.py: error: nothing exists at " + args.packet + "\n")
        return 2
    report = verify(args.packet, args.expect_key, args.without_sealed)
    out = sys.stdout
    for status, name, text in report.lines:
        out.write(f"{status:<7} {name}{': ' + text if text else ''}\n")
    checked = sum(1 for status, _, _ in report.lines if status == "OK")
    if report.failed:
        problems = sum(1 for status, _, _ in report.lines if status == "FAILED")
        out.write(f"\nPACKET CHECK FAILED: {problems} problem(s). Do not rely on this copy.\n")
        return 1
    out.write(f"\nPacket OK: {checked} check(s) passed; nothing missing, nothing extra.\n")
    if report.signer:
        out.write("Signed by key " + report.signer + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
