"""HashIndex (multi-index hashing + brute force) must return exactly what brute force returns.

Exactness is the contract (a missed match is a missed re-post), so every path is compared
with the brute-force reference, which is itself checked against a naive bit-by-bit distance:
uniform and skewed PDQ-like data, 256- and 64-bit hashes, radius 0, the usual thresholds and a
radius past the multi-index sweet spot, batches, duplicates, the per-query brute-force fallback,
the not-yet-indexed tail, persistence and bad input.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from ncii_desk.hashing.index import (
    HashIndex,
    SearchResult,
    brute_force_search,
    hex_to_rows,
    rows_to_hex,
)

Rows = np.ndarray


def uniform_rows(rng: np.random.Generator, n: int, bits: int) -> Rows:
    return rng.integers(0, 256, (n, bits // 8), dtype=np.uint8)


def skewed_rows(rng: np.random.Generator, n: int, bits: int) -> Rows:
    """PDQ-like data: correlated, biased bits (a few latent factors, thresholded at the row
    mean, as PDQ thresholds DCT coefficients at their median), clusters of near-duplicates
    with heavy-tailed sizes, and one hash repeated many times (a blank image)."""
    k = 8
    loadings = rng.standard_normal((k, bits)).astype(np.float32)
    bias = rng.standard_normal(bits).astype(np.float32) * 0.5
    coef = rng.standard_normal((n, k)).astype(np.float32) @ loadings
    coef += (rng.random((n, bits), dtype=np.float32) - 0.5) * 3.0 + bias
    rows = np.packbits(coef > coef.mean(axis=1, keepdims=True), axis=1)
    n_dup = n // 5
    centers = (max(1, n // 50) * rng.random(n_dup) ** 2.5).astype(np.int64)
    members = rng.choice(n, n_dup, replace=False)
    rows[members] = flip_random_bits(rng, rows[centers], 12)
    rows[rng.choice(n, n // 100, replace=False)] = 0  # degenerate hash, many copies
    return rows


def flip_random_bits(rng: np.random.Generator, rows: Rows, max_flips: int) -> Rows:
    """Copy of rows with 0..max_flips distinct random bits flipped per row."""
    n, nbytes = rows.shape
    bits = nbytes * 8
    flips = rng.integers(0, max_flips + 1, n)
    order = np.argsort(rng.random((n, bits)), axis=1)
    mask = order < flips[:, None]
    return rows ^ np.packbits(mask, axis=1)


def make_queries(rng: np.random.Generator, stored: Rows, n: int, max_flips: int) -> Rows:
    """Half noisy copies of stored rows (true matches), half fresh random rows."""
    bits = stored.shape[1] * 8
    near = flip_random_bits(rng, stored[rng.integers(0, stored.shape[0], n // 2)], max_flips)
    return np.concatenate([near, uniform_rows(rng, n - n // 2, bits)])


def naive_search(stored: Rows, queries: Rows, radius: int) -> SearchResult:
    """Bit-by-bit distance matrix: slow, obviously right."""
    a = np.unpackbits(queries, axis=1).astype(bool)
    b = np.unpackbits(stored, axis=1).astype(bool)
    dist = (a[:, None, :] != b[None, :, :]).sum(axis=2)
    q, e = np.nonzero(dist <= radius)
    d = dist[q, e]
    order = np.lexsort((e, d, q))
    return SearchResult(
        q[order].astype(np.int64), e[order].astype(np.int64), d[order].astype(np.int16)
    )


def assert_same(got: SearchResult, want: SearchResult) -> None:
    assert got.query_idx.dtype == np.int64
    assert got.entry_idx.dtype == np.int64
    assert got.distance.dtype == np.int16
    np.testing.assert_array_equal(got.query_idx, want.query_idx)
    np.testing.assert_array_equal(got.entry_idx, want.entry_idx)
    np.testing.assert_array_equal(got.distance, want.distance)


@pytest.fixture(scope="module")
def pdq_data() -> dict[str, tuple[Rows, Rows]]:
    rng = np.random.default_rng(2026)
    out = {}
    for name, maker in (("uniform", uniform_rows), ("skewed", skewed_rows)):
        stored = maker(rng, 120_000, 256)
        out[name] = (stored, make_queries(rng, stored, 300, 40))
    return out


@pytest.fixture(scope="module")
def phash_data() -> dict[str, tuple[Rows, Rows]]:
    rng = np.random.default_rng(64)
    out = {}
    for name, maker in (("uniform", uniform_rows), ("skewed", skewed_rows)):
        stored = maker(rng, 150_000, 64)
        out[name] = (stored, make_queries(rng, stored, 300, 14))
    return out


# ------------------------------------------------------------------ the reference itself


@pytest.mark.parametrize("bits", [64, 256])
def test_brute_force_matches_naive_distances(bits: int) -> None:
    rng = np.random.default_rng(bits)
    stored = uniform_rows(rng, 1500, bits)
    stored[7] = 0
    queries = make_queries(rng, stored, 40, bits // 4)
    queries[0] = ~stored[7]  # the complement: distance == bits (the 256 wrap case)
    queries[1] = stored[3]
    for radius in (0, bits // 8, bits // 2, bits - 1, bits):
        assert_same(
            brute_force_search(stored, queries, radius), naive_search(stored, queries, radius)
        )
    full = brute_force_search(stored, queries[:1], bits)
    assert full.distance[full.entry_idx == 7].tolist() == [bits]


# -------------------------------------------------------------- index == brute force


@pytest.mark.parametrize("kind", ["uniform", "skewed"])
@pytest.mark.parametrize("radius", [0, 8, 31, 64])
def test_pdq_index_equals_brute_force(
    pdq_data: dict[str, tuple[Rows, Rows]], kind: str, radius: int
) -> None:
    stored, queries = pdq_data[kind]
    want = brute_force_search(stored, queries, radius)
    index = HashIndex(256)
    index.add(stored)
    got = index.search(queries, radius)
    assert_same(got, want)
    # Multi-index hashing forced (radius 64 is past its sweet spot: "auto" may scan instead).
    assert_same(index.search(queries, radius, method="mih"), want)
    assert index.blocks > 0
    assert index.method in ("mih", "mih+brute")
    assert_same(index.search(queries, radius, method="brute"), want)
    assert index.method == "brute"


@pytest.mark.parametrize("kind", ["uniform", "skewed"])
@pytest.mark.parametrize("radius", [0, 6, 10, 20])
def test_phash_index_equals_brute_force(
    phash_data: dict[str, tuple[Rows, Rows]], kind: str, radius: int
) -> None:
    stored, queries = phash_data[kind]
    want = brute_force_search(stored, queries, radius)
    index = HashIndex(64)
    index.add(stored)
    assert_same(index.search(queries, radius), want)
    assert_same(index.search(queries, radius, method="mih"), want)
    assert index.blocks > 0


@pytest.mark.parametrize("blocks", [12, 16, 20, 32])
def test_every_block_layout_is_exact(pdq_data: dict[str, tuple[Rows, Rows]], blocks: int) -> None:
    stored, queries = pdq_data["skewed"]
    stored = stored[:40_000]
    index = HashIndex(256, blocks=blocks)
    index.add(stored)
    for radius in (0, 15, 31):
        got = index.search(queries, radius, method="mih")
        assert index.blocks == blocks
        assert_same(got, brute_force_search(stored, queries, radius))


def test_batches_tail_and_rebuild(pdq_data: dict[str, tuple[Rows, Rows]]) -> None:
    stored, queries = pdq_data["uniform"]
    index = HashIndex(256)
    assert index.add(stored[:50_000]).tolist() == list(range(50_000))
    ids = index.add(stored[50_000:100_000])
    assert ids[0] == 50_000 and ids[-1] == 99_999
    assert len(index) == 100_000
    assert_same(index.search(queries, 31), brute_force_search(stored[:100_000], queries, 31))
    # A small batch after the build is brute-forced as a tail, a large one triggers a rebuild.
    index.add(stored[100_000:100_500])
    got = index.search(queries, 31)
    assert index.method == "mih+brute"
    assert_same(got, brute_force_search(stored[:100_500], queries, 31))
    index.add(stored[100_500:])
    assert_same(index.search(queries, 31), brute_force_search(stored, queries, 31))
    assert len(index) == stored.shape[0]


def test_duplicates_and_identical_queries() -> None:
    rng = np.random.default_rng(5)
    base = uniform_rows(rng, 20_000, 256)
    stored = np.concatenate([base, base[:1000], base[:10]])  # entries stored two or three times
    index = HashIndex(256)
    index.add(stored)
    queries = base[:10].copy()
    got = index.search(queries, 0)
    assert_same(got, brute_force_search(stored, queries, 0))
    for q in range(10):
        entries = got.entry_idx[got.query_idx == q].tolist()
        assert entries == [q, 20_000 + q, 21_000 + q]
    assert set(got.distance.tolist()) == {0}
    # Identical queries get distance 0 first, for every radius.
    wide = index.search(base[:5], 31)
    for q in range(5):
        assert wide.distance[wide.query_idx == q][0] == 0


def test_per_query_fallback_on_a_hot_bucket() -> None:
    """Queries sitting in a huge cluster are scanned instead of probed: still exact."""
    rng = np.random.default_rng(11)
    stored = uniform_rows(rng, 60_000, 256)
    hot = stored[0].copy()
    stored[:30_000] = flip_random_bits(rng, np.repeat(hot[None, :], 30_000, axis=0), 3)
    queries = np.concatenate([np.repeat(hot[None, :], 3, axis=0), uniform_rows(rng, 50, 256)])
    index = HashIndex(256)
    index.add(stored)
    got = index.search(queries, 31)
    stats = index.last_search
    assert stats is not None and stats.brute_queries >= 3 and stats.method == "mih+brute"
    assert_same(got, brute_force_search(stored, queries, 31))
    assert len(got) >= 3 * 30_000
    # Fallback and a not-yet-indexed tail together: both merged into the sorted result.
    more = np.concatenate([np.repeat(hot[None, :], 5, axis=0), uniform_rows(rng, 300, 256)])
    index.add(more)
    everything = np.concatenate([stored, more])
    got = index.search(queries, 31)
    assert index.last_search is not None and index.last_search.brute_queries >= 3
    assert_same(got, brute_force_search(everything, queries, 31))


def test_empty_index_and_empty_queries() -> None:
    rng = np.random.default_rng(3)
    index = HashIndex(256)
    queries = uniform_rows(rng, 5, 256)
    assert len(index) == 0
    assert len(index.search(queries, 31)) == 0
    assert index.method == "empty"
    index.add(np.empty((0, 32), np.uint8))
    assert len(index) == 0
    index.add(uniform_rows(rng, 10_000, 256))
    none = index.search(np.empty((0, 32), np.uint8), 31)
    assert len(none) == 0 and none.query_idx.dtype == np.int64
    small = HashIndex(64)
    small.add(uniform_rows(rng, 100, 64))  # too small for tables: brute force
    got = small.search(uniform_rows(rng, 5, 64), 64)
    assert len(got) == 500 and small.method == "brute" and small.blocks == 0


# ------------------------------------------------------------------------- persistence


def test_round_trip_bytes_and_file(pdq_data: dict[str, tuple[Rows, Rows]]) -> None:
    stored, queries = pdq_data["skewed"]
    index = HashIndex(256)
    index.add(stored[:70_000])
    index.add(stored[70_000:])
    want = brute_force_search(stored, queries, 31)
    blob = index.to_bytes()
    assert len(blob) == 32 + stored.nbytes
    loaded = HashIndex.from_bytes(blob)
    assert len(loaded) == len(index) and loaded.bits == 256
    np.testing.assert_array_equal(loaded.rows(), stored)
    assert_same(loaded.search(queries, 31), want)
    buf = io.BytesIO()
    index.save(buf)
    assert buf.getvalue() == blob
    buf.seek(0)
    assert_same(HashIndex.load(buf).search(queries, 31), want)
    assert_same(HashIndex.from_bytes(bytearray(blob)).search(queries, 31), want)
    # Empty and 64-bit indexes round-trip too.
    assert len(HashIndex.from_bytes(HashIndex(64).to_bytes())) == 0
    ph = HashIndex(64)
    ph.add(stored[:10, :8])
    np.testing.assert_array_equal(HashIndex.from_bytes(ph.to_bytes()).rows(), stored[:10, :8])


def test_corrupt_or_foreign_blobs_are_refused() -> None:
    rng = np.random.default_rng(9)
    index = HashIndex(64)
    index.add(uniform_rows(rng, 1000, 64))
    blob = index.to_bytes()
    flipped = bytearray(blob)
    flipped[100] ^= 0x01
    bad_version = bytearray(blob)
    bad_version[8] = 9
    bad_bits = bytearray(blob)
    bad_bits[10] = 128
    cases = {
        "empty": b"",
        "short": blob[:20],
        "foreign": b"PK\x03\x04" + blob[4:],
        "truncated": blob[:-1],
        "extended": blob + b"\x00",
        "bit flip": bytes(flipped),
        "version": bytes(bad_version),
        "bits": bytes(bad_bits),
    }
    for name, data in cases.items():
        with pytest.raises(ValueError):
            HashIndex.from_bytes(data)
        with pytest.raises(ValueError):
            HashIndex.load(io.BytesIO(data))
        assert name
    with pytest.raises(ValueError):
        HashIndex.from_bytes("not bytes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad input


def test_bad_inputs_raise_value_error() -> None:
    rng = np.random.default_rng(1)
    index = HashIndex(256)
    index.add(uniform_rows(rng, 100, 256))
    good = uniform_rows(rng, 2, 256)
    for bad in (
        good[:, :31],  # wrong width
        good.reshape(-1),  # 1-D
        good.astype(np.int16),  # wrong dtype
        good.view(np.uint64),  # right bytes, wrong dtype
        good.tolist(),  # not an array
    ):
        with pytest.raises(ValueError):
            index.add(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            index.search(bad, 10)  # type: ignore[arg-type]
    for radius in (-1, 257, 3.0, True, "5"):
        with pytest.raises(ValueError):
            index.search(good, radius)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        index.search(good, 10, method="fast")  # type: ignore[arg-type]
    assert len(index.search(good, 256)) == 200  # radius == bits is allowed: everything
    for bits in (0, 128, 65, "256"):
        with pytest.raises(ValueError):
            HashIndex(bits)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HashIndex(256, blocks=7)
    with pytest.raises(ValueError):
        brute_force_search(uniform_rows(rng, 5, 64), good, 3)  # widths differ


# ---------------------------------------------------------------------------- hex helpers


def test_hex_round_trip_and_byte_order() -> None:
    pdq = "f0" + "0123456789abcdef" * 3 + "A" * 14
    rows = hex_to_rows([pdq, "0" * 64], 256)
    assert rows.shape == (2, 32) and rows.dtype == np.uint8
    assert rows[0, 0] == 0xF0 and rows[0, 1] == 0x01 and rows[1].sum() == 0
    assert rows_to_hex(rows) == [pdq.lower(), "0" * 64]
    ph = hex_to_rows(["8000000000000001"], 64)
    assert ph.tolist() == [[0x80, 0, 0, 0, 0, 0, 0, 1]]
    assert rows_to_hex(ph) == ["8000000000000001"]
    assert hex_to_rows([], 64).shape == (0, 8)
    rng = np.random.default_rng(0)
    many = uniform_rows(rng, 1000, 256)
    np.testing.assert_array_equal(hex_to_rows(rows_to_hex(many), 256), many)


def test_hex_errors_name_the_item() -> None:
    good = "ab" * 32
    with pytest.raises(ValueError, match="#2"):
        hex_to_rows([good, good, good[:-1]], 256)
    with pytest.raises(ValueError, match="#1"):
        hex_to_rows([good, "zz" + good[2:]], 256)
    with pytest.raises(ValueError, match="#0"):
        hex_to_rows(["é" + good[1:]], 256)
    with pytest.raises(ValueError, match="#1"):
        hex_to_rows([good, 5], 256)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="#0"):
        hex_to_rows([good], 64)
    with pytest.raises(ValueError):
        hex_to_rows(good, 256)  # a single string is not a list of hashes
    with pytest.raises(ValueError):
        hex_to_rows([good], 128)
    with pytest.raises(ValueError):
        rows_to_hex(np.zeros((2, 5), np.uint8))
