"""Hash kinds as classes (hashing/kinds.py): one place for each kind's name, length, checks,
distance, threshold, computation and plain-language scope; the list code reads them."""

from __future__ import annotations

import hashlib
import random
import typing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ncii_desk.hashing import defaults, kinds
from ncii_desk.hashing.kinds import (
    DHASH,
    KINDS,
    LIST_KINDS,
    MD5,
    PDQ,
    PHASH,
    SHA256,
    VIDEO_MD5,
    InvalidHashEntry,
    digest_kinds,
    find_kind,
    kind_named,
)
from ncii_desk.hashing.lists import HEX_LENGTHS, HashEntry, HashKind, parse_hash_list

STORED_NAMES = ("pdq", "video_md5", "md5", "sha256", "phash", "dhash")


def random_value(kind: kinds.SignalKind, rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(kind.hex_digits))


def test_registry_holds_every_stored_name_once_in_list_order() -> None:
    assert tuple(KINDS) == STORED_NAMES
    assert [k.name for k in LIST_KINDS] == list(HEX_LENGTHS)
    assert DHASH not in LIST_KINDS  # computed and stored, never exchanged in lists
    assert {k.name: k.hex_digits for k in LIST_KINDS} == dict(HEX_LENGTHS)
    assert (PDQ.bits, PHASH.bits, DHASH.bits, MD5.bits, SHA256.bits) == (256, 64, 64, 128, 256)
    assert typing.get_args(HashKind) == tuple(HEX_LENGTHS)  # the type names the same kinds
    assert kind_named("pdq") is PDQ
    with pytest.raises(KeyError, match="'PDQ'"):
        kind_named("PDQ")  # stored names are exact


def test_thresholds_and_quality_come_from_defaults() -> None:
    assert PDQ.threshold == defaults.PDQ_DEFAULT_THRESHOLD
    assert PHASH.threshold == defaults.PHASH_DEFAULT_THRESHOLD
    assert PDQ.min_quality == defaults.PDQ_MIN_QUALITY
    assert DHASH.threshold is None
    assert all(k.threshold == 0 for k in (MD5, VIDEO_MD5, SHA256))
    assert PDQ.usable(None) and PDQ.usable(defaults.PDQ_MIN_QUALITY)
    assert not PDQ.usable(defaults.PDQ_MIN_QUALITY - 1)
    assert PHASH.usable(0)  # no quality score: always usable


def test_aliases_find_kinds_whatever_the_case() -> None:
    assert find_kind(" HASH_PDQ ") is PDQ
    assert find_kind("SHA-256") is SHA256
    assert find_kind("Video_MD5") is VIDEO_MD5
    assert find_kind("hash_md5") is MD5
    assert find_kind("tmk") is None
    for kind in KINDS.values():
        assert find_kind(kind.name.upper()) is kind


def test_exact_digests_are_compared_with_the_right_file_digest() -> None:
    assert digest_kinds("sha256") == ("sha256",)
    assert digest_kinds("md5") == ("md5", "video_md5")


@pytest.mark.parametrize("name", list(HEX_LENGTHS))
def test_parse_gives_the_same_value_and_errors_as_a_list_entry(name: str) -> None:
    """A kind's check is the list's check: same value, same message, for every bad value."""
    kind = KINDS[name]
    rng = random.Random(name)
    good = random_value(kind, rng).upper()
    assert kind.parse(good) == HashEntry(name, good).value == good.lower()  # type: ignore[arg-type]
    bad = [
        "",
        "zz" * (kind.hex_digits // 2),
        "a" * (kind.hex_digits - 1),
        "0" * kind.hex_digits,
        "f" * kind.hex_digits,
        "8" + "0" * (kind.hex_digits - 1),
        "d41d8cd98f00b204e9800998ecf8427e",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]
    refused = 0
    for value in bad:
        try:
            want: str | None = HashEntry(name, value).value  # type: ignore[arg-type]
        except InvalidHashEntry as exc:
            want = None
            with pytest.raises(InvalidHashEntry) as got:
                kind.parse(value)
            assert got.value.message == exc.message
            refused += 1
        if want is not None:
            assert kind.parse(value) == want
    assert refused >= 4


def test_errors_name_the_kind_and_say_what_is_wrong() -> None:
    with pytest.raises(InvalidHashEntry, match="a pdq hash has 64 hex digits; this one has 3"):
        PDQ.parse("abc")
    with pytest.raises(InvalidHashEntry, match="this pHash is all or nearly all zeros"):
        PHASH.parse("8000000000000000")
    with pytest.raises(InvalidHashEntry, match="this PDQ hash is all or nearly all zeros"):
        PDQ.parse("0" * 63 + "1")
    with pytest.raises(InvalidHashEntry, match="MD5 of an empty"):
        VIDEO_MD5.parse("D41D8CD98F00B204E9800998ECF8427E")
    with pytest.raises(InvalidHashEntry, match="this dHash is all or nearly all"):
        DHASH.parse("fffffffffffffff8")


def test_bytes_round_trip_and_wrong_length_is_refused() -> None:
    rng = random.Random(3)
    for kind in KINDS.values():
        value = random_value(kind, rng)
        data = kind.to_bytes(value)
        assert len(data) * 8 == kind.bits
        assert kind.from_bytes(data) == value
        with pytest.raises(InvalidHashEntry, match=f"a {kind.name} hash has"):
            kind.from_bytes(data + b"\x01")


def test_distance_is_hamming_for_pictures_and_equality_for_digests() -> None:
    from ncii_desk.hashing.perceptual import hamming_hex

    rng = random.Random(5)
    for kind in (PDQ, PHASH, DHASH):
        a, b = random_value(kind, rng), random_value(kind, rng)
        assert kind.distance(a, b) == hamming_hex(a, b)
        assert kind.distance(a, a.upper()) == 0
    a = random_value(SHA256, rng)
    b = a[:-1] + ("0" if a[-1] != "0" else "1")  # one hex digit off: still another file
    assert SHA256.distance(a, a) == 0 and SHA256.distance(a, b) == 1
    assert SHA256.matches(a, a) and not SHA256.matches(a, b)
    near = f"{int(a, 16) ^ (1 << 40):064x}"
    assert PDQ.matches(a, near) and not PDQ.matches(a, near, threshold=0)
    with pytest.raises(ValueError, match="not matched on"):
        DHASH.matches("0f" * 8, "0f" * 8)


def test_compute_gives_what_the_pipeline_stores(tmp_path: Path) -> None:
    """Each kind computes from what the pipeline holds (file bytes, prepared pixels) exactly
    the value hash_file gives."""
    from ncii_desk.hashing import perceptual as ph
    from ncii_desk.hashing.pipeline import hash_file
    from ncii_desk.media.loader import load_image

    rng = np.random.default_rng(11)
    coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    picture = Image.fromarray(coarse).resize((640, 480), Image.Resampling.BICUBIC)
    path = tmp_path / "generated.png"
    picture.save(path)
    data = path.read_bytes()
    fh = hash_file(path, role="original")
    assert fh.error is None
    assert SHA256.compute(data) == (fh.sha256, None)
    assert MD5.compute(data) == (fh.md5, None) == (hashlib.md5(data).hexdigest(), None)
    image = load_image(path, min_side=ph.PDQ_WORK_SIDE)
    assert image.reduced_by == 1
    assert PDQ.compute(ph.reduce_for_exchange(image.pixels)) == (fh.pdq, fh.pdq_quality)
    prepared = ph.reduce_for_hash(image.pixels)
    assert PHASH.compute(prepared) == (fh.phash, None)
    assert DHASH.compute(prepared) == (fh.dhash, None)


def test_every_kind_says_what_a_match_can_and_cannot_show() -> None:
    for kind in KINDS.values():
        assert kind.title and kind.can_show.endswith(".") and kind.cannot_show.endswith(".")
        assert kind.can_show != kind.cannot_show
        assert kind.explain() == f"{kind.can_show} {kind.cannot_show}"


def test_lists_read_exactly_the_registry_list_kinds() -> None:
    rng = random.Random(9)
    lines = [f"{k.name} {random_value(k, rng)}" for k in KINDS.values()]
    parsed = parse_hash_list("\n".join(lines))
    assert [e.kind for e in parsed.entries] == [k.name for k in LIST_KINDS]
    [error] = parsed.errors
    assert error.line == len(lines) and "unknown hash kind 'dhash'" in error.message
    assert "pdq, video_md5, md5, sha256 or phash" in error.message
