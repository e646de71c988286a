"""Hash-list reading and writing: every rule of ncii_desk.hashing.lists as a test.

All hashes are generated here (seeded), never taken from real lists.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import threading
import time
from pathlib import Path

import pytest

from ncii_desk import errors
from ncii_desk.hashing import list_parse, list_stream, lists
from ncii_desk.hashing.lists import (
    HEX_LENGTHS,
    MAX_LINE_CHARS,
    MAX_LISTED_ERRORS,
    HashEntry,
    InvalidHashEntry,
    LineError,
    ParsedList,
    detect_format,
    load_hash_list,
    parse_hash_list,
    write_csv,
    write_pytx,
)
from ncii_desk.hashing.perceptual import PDQ_MIN_QUALITY, is_degenerate_pdq

KINDS = tuple(HEX_LENGTHS)
LENGTHS: dict[str, int] = {str(k): v for k, v in HEX_LENGTHS.items()}


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261129)


def random_hex(kind: str, rng: random.Random) -> str:
    """A valid, non-degenerate hash of ``kind``: about half the bits set."""
    digits = LENGTHS[kind]
    while True:
        value = f"{rng.getrandbits(digits * 4):0{digits}x}"
        ones = int(value, 16).bit_count()
        if digits * 4 // 4 < ones < digits * 4 * 3 // 4:
            return value


def hex_with_ones(ones: int, digits: int = 64) -> str:
    return f"{(1 << ones) - 1:0{digits}x}"


def pdq_line(rng: random.Random) -> tuple[str, str]:
    value = random_hex("pdq", rng)
    return f"pdq {value}", value


def write_bytes(tmp_path: Path, data: bytes, name: str = "list.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def line_numbers(result: ParsedList) -> list[int]:
    return [e.line for e in result.errors]


# --- pytx format ------------------------------------------------------------------------------


def test_pytx_lines_are_read_with_kind_and_lowercase_hex(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    video = random_hex("video_md5", rng)
    text = f"pdq {pdq.upper()}\nVIDEO_MD5 {video}\n"
    result = parse_hash_list(text)
    assert result.format == "pytx"
    assert result.errors == []
    assert result.entries == [HashEntry("pdq", pdq), HashEntry("video_md5", video)]
    assert all(e.quality is None and e.label == "" for e in result.entries)


def test_every_kind_is_accepted_at_its_length(rng: random.Random) -> None:
    values = {kind: random_hex(kind, rng) for kind in KINDS}
    text = "".join(f"{kind} {value}\n" for kind, value in values.items())
    result = parse_hash_list(text, "pytx")
    assert result.errors == []
    assert [(e.kind, e.value) for e in result.entries] == list(values.items())


def test_pytx_comments_blank_lines_and_trailing_comments_are_ignored(
    rng: random.Random,
) -> None:
    a, b, c = (random_hex("pdq", rng) for _ in range(3))
    text = (
        "# exported for the clinic\n"
        "\n"
        f"pdq {a}   # trailing comment, pdq 0000\n"
        "   \t  \n"
        f"  pdq\t\t{b}  \n"
        f"pdq {c}#comment right after the hash\n"
        "    # indented comment\n"
    )
    result = parse_hash_list(text)
    assert result.errors == []
    assert [e.value for e in result.entries] == [a, b, c]


@pytest.mark.parametrize(
    ("suffix", "found"),
    [("", "one field"), (" 80", "3 fields"), (" 80 label", "4 fields")],
)
def test_pytx_is_strict_about_two_fields(rng: random.Random, suffix: str, found: str) -> None:
    value = random_hex("pdq", rng)
    line = f"pdq {value}{suffix}" if suffix else "pdq"
    result = parse_hash_list(f"pdq {random_hex('pdq', rng)}\n{line}\n")
    assert len(result.entries) == 1
    assert line_numbers(result) == [2]
    assert found in result.errors[0].message
    assert "two fields" in result.errors[0].message


def test_pytx_line_with_commas_points_at_the_missing_csv_header(rng: random.Random) -> None:
    result = parse_hash_list(f"pdq,{random_hex('pdq', rng)},90,x\n")
    assert result.format == "pytx"
    assert result.entries == []
    assert "kind,value,quality,label" in result.errors[0].message


def test_line_numbers_are_exact_and_good_lines_around_bad_ones_are_kept(
    rng: random.Random,
) -> None:
    good = [random_hex("pdq", rng) for _ in range(5)]
    lines = [
        "# header comment",  # 1
        f"pdq {good[0]}",  # 2
        "pdq 1234",  # 3 bad: short
        "",  # 4
        f"pdq {good[1]}",  # 5
        f"pdq {'0' * 64}",  # 6 bad: all zero
        f"pdq {good[2]}",  # 7
        f"sha1 {random_hex('md5', rng)}",  # 8 bad: unknown kind
        f"pdq {good[3]}",  # 9
        f"pdq {random_hex('pdq', rng)[:-1]}g",  # 10 bad: not hex
        "# comment",  # 11
        f"pdq {good[4]}",  # 12
        "garbage",  # 13 bad
    ]
    for ending in ("\n", "\r\n"):
        result = parse_hash_list(ending.join(lines) + ending)
        assert line_numbers(result) == [3, 6, 8, 10, 13]
        assert [e.value for e in result.entries] == good
        assert [e.text for e in result.errors] == [lines[i - 1] for i in (3, 6, 8, 10, 13)]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("delta", [-1, 1])
def test_wrong_length_is_reported_with_both_lengths(
    rng: random.Random, kind: str, delta: int
) -> None:
    value = random_hex(kind, rng)
    value = value[:-1] if delta < 0 else value + "a"
    result = parse_hash_list(f"{kind} {value}\n")
    assert result.entries == []
    message = result.errors[0].message
    assert str(LENGTHS[kind]) in message
    assert str(len(value)) in message


@pytest.mark.parametrize("bad", ["0x", "zz", "é1", "٣٣", "-"])
def test_non_hex_characters_are_refused(rng: random.Random, bad: str) -> None:
    value = random_hex("md5", rng)
    value = bad + value[len(bad) :]
    result = parse_hash_list(f"md5 {value}\n")
    assert result.entries == []
    assert "hex digits" in result.errors[0].message


def test_unknown_kind_is_refused_and_named(rng: random.Random) -> None:
    result = parse_hash_list(f"photo_dna {random_hex('pdq', rng)}\n")
    assert result.entries == []
    assert "photo_dna" in result.errors[0].message
    assert "video_md5" in result.errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_all_zero_hashes_are_refused_for_every_kind(kind: str) -> None:
    result = parse_hash_list(f"{kind} {'0' * LENGTHS[kind]}\n")
    assert result.entries == []
    assert line_numbers(result) == [1]


@pytest.mark.parametrize("value", ["0" * 64, "f" * 64, "F" * 64, hex_with_ones(3), "8" + "0" * 63])
def test_degenerate_pdq_is_refused_as_from_blank_images(value: str) -> None:
    result = parse_hash_list(f"pdq {value}\n")
    assert result.entries == []
    message = result.errors[0].message
    assert "blank" in message
    assert "match" in message


def test_degenerate_pdq_boundary_follows_is_degenerate_pdq() -> None:
    for ones in (15, 16, 240, 241):
        value = hex_with_ones(ones)
        result = parse_hash_list(f"pdq {value}\n")
        assert (result.entries == []) == is_degenerate_pdq(value), ones
    assert parse_hash_list(f"pdq {hex_with_ones(16)}\n").entries
    assert not parse_hash_list(f"pdq {hex_with_ones(15)}\n").entries
    assert not parse_hash_list(f"pdq {hex_with_ones(241)}\n").entries


@pytest.mark.parametrize("value", ["f" * 16, "8000000000000000", hex_with_ones(3, 16)])
def test_blank_image_phash_is_refused(value: str) -> None:
    result = parse_hash_list(f"phash {value}\n")
    assert result.entries == []
    assert "blank" in result.errors[0].message


def test_phash_with_a_few_minority_bits_is_kept() -> None:
    assert parse_hash_list(f"phash {hex_with_ones(4, 16)}\n").entries


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("video_md5", "D41D8CD98F00B204E9800998ECF8427E"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ],
)
def test_hash_of_an_empty_file_is_refused(kind: str, value: str) -> None:
    result = parse_hash_list(f"{kind} {value}\n")
    assert result.entries == []
    assert "empty" in result.errors[0].message


# --- CSV format -------------------------------------------------------------------------------


def test_csv_header_is_case_insensitive_in_any_order_with_extra_columns(
    rng: random.Random,
) -> None:
    pdq, md5 = random_hex("pdq", rng), random_hex("md5", rng)
    text = (
        "Label , VALUE,source,Kind,Quality,notes\n"
        f"clinic A,{pdq.upper()},x,PDQ,88,n\n"
        f"clinic B,{md5},y,md5,,\n"
    )
    result = parse_hash_list(text)
    assert result.format == "csv"
    assert result.errors == []
    assert result.entries == [
        HashEntry("pdq", pdq, 88, "clinic A"),
        HashEntry("md5", md5, None, "clinic B"),
    ]


def test_csv_quality_and_label_columns_are_optional(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value\npdq,{pdq}\n")
    assert result.format == "csv"
    assert result.entries == [HashEntry("pdq", pdq)]


def test_csv_rows_are_validated_like_pytx_lines(rng: random.Random) -> None:
    good = [random_hex("pdq", rng) for _ in range(3)]
    text = (
        "kind,value,quality,label\n"  # 1
        f"pdq,{good[0]},90,a\n"  # 2
        f"pdq,{'f' * 64},90,blank\n"  # 3 degenerate
        f"pdq,{good[1]},90,b\n"  # 4
        f"phash,{random_hex('md5', rng)},,\n"  # 5 wrong length
        f"gif,{good[2]},,\n"  # 6 unknown kind
        f"pdq,{good[2]},90,c\n"  # 7
        "pdq\n"  # 8 missing value column
    )
    result = parse_hash_list(text)
    assert line_numbers(result) == [3, 5, 6, 8]
    assert [e.value for e in result.entries] == good
    assert "blank" in result.errors[0].message


@pytest.mark.parametrize("quality", ["101", "-1", "abc", "50.0", "+5", "1e2", "٥٠", "1000"])
def test_csv_quality_must_be_an_integer_from_0_to_100(rng: random.Random, quality: str) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value,quality\npdq,{pdq},{quality}\n")
    assert result.entries == []
    assert line_numbers(result) == [2]
    assert "0 to 100" in result.errors[0].message


@pytest.mark.parametrize(
    ("quality", "expected"), [("0", 0), ("100", 100), (" 75 ", 75), ("", None)]
)
def test_csv_valid_qualities(rng: random.Random, quality: str, expected: int | None) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value,quality\npdq,{pdq},{quality}\n")
    assert result.errors == []
    assert result.entries[0].quality == expected


def test_low_quality_pdq_is_kept_but_counted(rng: random.Random) -> None:
    rows = [
        ("pdq", PDQ_MIN_QUALITY - 1, True),
        ("pdq", PDQ_MIN_QUALITY, False),
        ("pdq", 0, True),
        ("pdq", None, False),
        ("md5", 5, False),  # quality means nothing for an exact hash: never "low"
    ]
    body = "".join(
        f"{kind},{random_hex(kind, rng)},{'' if q is None else q},\n" for kind, q, _ in rows
    )
    result = parse_hash_list("kind,value,quality,label\n" + body)
    assert result.errors == []
    assert len(result.entries) == len(rows)
    assert result.low_quality == 2
    assert [e.is_low_quality for e in result.entries] == [low for _, _, low in rows]


def test_csv_unbalanced_quotes_are_reported_and_the_next_row_kept(rng: random.Random) -> None:
    a, b = random_hex("pdq", rng), random_hex("pdq", rng)
    text = f'kind,value,label\npdq,{a},"unterminated\npdq,{b},fine\n'
    result = parse_hash_list(text)
    assert line_numbers(result) == [2]
    assert "quotes" in result.errors[0].message
    assert [e.value for e in result.entries] == [b]


def test_csv_label_spread_over_lines_by_another_tool_costs_only_those_lines(
    rng: random.Random,
) -> None:
    a, b, c = (random_hex("pdq", rng) for _ in range(3))
    text = f'kind,value,label\npdq,{a},ok\npdq,{b},"two\nlines"\npdq,{c},ok\n'
    result = parse_hash_list(text)
    assert line_numbers(result) == [3, 4]
    assert [e.value for e in result.entries] == [a, c]


def test_csv_empty_rows_and_repeated_headers_are_skipped(rng: random.Random) -> None:
    a, b = random_hex("pdq", rng), random_hex("md5", rng)
    text = f"kind,value,quality,label\npdq,{a},,\n,,,\n\nKIND,VALUE,QUALITY,LABEL\nmd5,{b},,\n"
    result = parse_hash_list(text)
    assert result.errors == []
    assert [e.value for e in result.entries] == [a, b]


def test_explicit_csv_without_header_is_a_whole_file_error(rng: random.Random) -> None:
    with pytest.raises(errors.InputFileError, match="header"):
        parse_hash_list(f"pdq,{random_hex('pdq', rng)},90,x\n", "csv")


def test_unknown_format_name_is_an_invalid_setting() -> None:
    with pytest.raises(errors.InvalidSetting):
        parse_hash_list("", "json")


def test_explicit_format_overrides_detection(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value\npdq {pdq}\n", "pytx")
    assert result.format == "pytx"
    assert line_numbers(result) == [1]
    assert [e.value for e in result.entries] == [pdq]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["kind,value,quality,label"], "csv"),
        (["\ufeffKind,Value"], "csv"),
        (["# exported", "", "label,kind,value"], "csv"),
        (["pdq 00ff"], "pytx"),
        (["kind,label"], "pytx"),  # no value column: not our header
        (["pdq,00ff,1,x"], "pytx"),
        ([], "pytx"),
        (["", "# only comments"], "pytx"),
    ],
)
def test_detect_format(lines: list[str], expected: str) -> None:
    assert detect_format(lines) == expected


# --- duplicates, empty input, encodings -------------------------------------------------------


def test_duplicates_are_counted_and_the_first_kept(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    md5 = random_hex("md5", rng)
    text = (
        "kind,value,quality,label\n"
        f"pdq,{pdq},90,first\n"
        f"PDQ,{pdq.upper()},20,second\n"
        f"pdq,{pdq},,third\n"
        f"md5,{md5},,\n"
        f"video_md5,{md5},,\n"  # same hex, other kind: not a duplicate
    )
    result = parse_hash_list(text)
    assert result.errors == []
    assert result.duplicates == 2
    assert result.entries == [
        HashEntry("pdq", pdq, 90, "first"),
        HashEntry("md5", md5),
        HashEntry("video_md5", md5),
    ]
    assert result.low_quality == 0  # the low-quality duplicate was skipped, not counted


def test_duplicates_in_pytx(rng: random.Random) -> None:
    line, _ = pdq_line(rng)
    result = parse_hash_list(f"{line}\n{line}\n{line.upper()}\n")
    assert len(result.entries) == 1
    assert result.duplicates == 2


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n", b"   \n\t\n", b"# nothing yet\n"]
)
def test_empty_file_gives_no_entries_and_no_error(tmp_path: Path, data: bytes) -> None:
    result = load_hash_list(write_bytes(tmp_path, data))
    assert result.entries == []
    assert result.errors == []
    assert result.bad_lines == 0
    assert result.format == "pytx"
    assert parse_hash_list(data.decode("utf-8")).entries == []


def test_bom_and_crlf_in_both_formats(tmp_path: Path, rng: random.Random) -> None:
    pdq, video = random_hex("pdq", rng), random_hex("video_md5", rng)
    pytx = f"pdq {pdq}\r\nvideo_md5 {video}\r\n".encode()
    csv_text = f"kind,value,quality,label\r\npdq,{pdq},77,x\r\nvideo_md5,{video},,y\r\n".encode()
    for name, data, fmt in (("a.txt", pytx, "pytx"), ("b.csv", csv_text, "csv")):
        result = load_hash_list(write_bytes(tmp_path, b"\xef\xbb\xbf" + data, name))
        assert result.format == fmt
        assert result.errors == []
        assert [(e.kind, e.value) for e in result.entries] == [("pdq", pdq), ("video_md5", video)]
        assert all("\r" not in e.label for e in result.entries)
        text_result = parse_hash_list("\ufeff" + data.decode())
        assert text_result.entries == result.entries


def test_non_utf8_line_is_reported_with_its_number(tmp_path: Path, rng: random.Random) -> None:
    a, b = random_hex("pdq", rng), random_hex("pdq", rng)
    data = (
        b"kind,value,quality,label\n"
        + f"pdq,{a},90,ok\n".encode()
        + f"pdq,{random_hex('pdq', rng)},90,Bj".encode()
        + b"\xf6rk\n"  # latin-1 label
        + b"\xff\xfe\x00garbage\n"
        + f"pdq,{b},90,ok\n".encode()
    )
    result = load_hash_list(write_bytes(tmp_path, data))
    assert line_numbers(result) == [3, 4]
    assert "UTF-8" in result.errors[0].message
    assert [e.value for e in result.entries] == [a, b]


def test_nul_byte_line_is_reported(tmp_path: Path, rng: random.Random) -> None:
    a, b = random_hex("pdq", rng), random_hex("pdq", rng)
    data = f"pdq {a}\npdq {random_hex('pdq', rng)}\x00\npdq {b}\n".encode()
    for result in (load_hash_list(write_bytes(tmp_path, data)), parse_hash_list(data.decode())):
        assert line_numbers(result) == [2]
        assert "NUL" in result.errors[0].message
        assert "\x00" not in result.errors[0].text
        assert [e.value for e in result.entries] == [a, b]


def test_utf16_file_is_refused_with_a_clear_message(tmp_path: Path, rng: random.Random) -> None:
    data = f"pdq {random_hex('pdq', rng)}\n".encode("utf-16")
    with pytest.raises(errors.InputFileError, match="UTF-16"):
        load_hash_list(write_bytes(tmp_path, data))


def test_line_length_cap(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    prefix = f"pdq,{pdq},90,label,"
    at_cap = prefix + "x" * (MAX_LINE_CHARS - len(prefix))
    over_cap = at_cap + "x"
    assert len(at_cap) == MAX_LINE_CHARS
    result = parse_hash_list(f"kind,value,quality,label,notes\n{at_cap}\n")
    assert result.errors == []
    assert len(result.entries) == 1
    result = parse_hash_list(f"kind,value,quality,label,notes\n{over_cap}\n")
    assert result.entries == []
    assert line_numbers(result) == [2]
    assert str(MAX_LINE_CHARS) in result.errors[0].message


def test_huge_line_in_a_file_is_reported_and_cut(tmp_path: Path, rng: random.Random) -> None:
    a, b = random_hex("pdq", rng), random_hex("pdq", rng)
    data = f"pdq {a}\n".encode() + b"\x01\xfe" * 200_000 + f"\npdq {b}\n".encode()
    result = load_hash_list(write_bytes(tmp_path, data))
    assert line_numbers(result) == [2]
    assert len(result.errors[0].text) <= 80
    assert [e.value for e in result.entries] == [a, b]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: no real disk use
        fh.truncate(lists.MAX_FILE_BYTES + 1)
    with pytest.raises(errors.InputFileError) as info:
        load_hash_list(path)
    assert "512 MiB" in info.value.message
    assert info.value.hint


def test_oversized_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(list_parse, "MAX_FILE_BYTES", 100)
    with pytest.raises(errors.InputFileError):
        parse_hash_list("#" * 101)
    assert parse_hash_list("#" * 100).entries == []


def test_file_at_the_size_cap_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = b"# comment line\n"
    monkeypatch.setattr(list_stream, "MAX_FILE_BYTES", len(line) * 3)  # load_hash_list
    assert load_hash_list(write_bytes(tmp_path, line * 3)).errors == []
    with pytest.raises(errors.InputFileError):
        load_hash_list(write_bytes(tmp_path, line * 3 + b"#"))


def test_missing_file_and_folder_are_input_file_errors(tmp_path: Path) -> None:
    with pytest.raises(errors.InputFileError, match="could not be read"):
        load_hash_list(tmp_path / "absent.txt")
    with pytest.raises(errors.InputFileError, match="not a file"):
        load_hash_list(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def unblock() -> None:  # should the check go, this turns a hang into a failure
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.05)
                continue
            os.close(fd)
            return

    threading.Thread(target=unblock, daemon=True).start()
    with pytest.raises(errors.InputFileError, match="not a file"):
        load_hash_list(fifo)


def test_error_list_is_capped_but_every_bad_line_counted() -> None:
    total = MAX_LISTED_ERRORS + 25
    result = parse_hash_list("pdq nothex\n" * total)
    assert len(result.errors) == MAX_LISTED_ERRORS
    assert result.errors_not_listed == 25
    assert result.bad_lines == total
    assert result.errors[-1].line == MAX_LISTED_ERRORS


# --- error reports ----------------------------------------------------------------------------


def test_line_error_text_is_cut_to_80_and_escapes_control_characters() -> None:
    result = parse_hash_list("pdq \x1b[31m" + "z" * 200 + "\n")
    err = result.errors[0]
    assert err.line == 1
    assert len(err.text) <= 80
    assert "\x1b" not in err.text
    assert err.text.startswith("pdq \\x1b[31m")


def test_line_error_keeps_short_text_whole() -> None:
    assert parse_hash_list("pdq 12\n").errors == [
        LineError(1, "pdq 12", "a pdq hash has 64 hex digits; this one has 2")
    ]


def test_as_dict_is_plain_json(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value,quality,label\npdq,{pdq},10,x\npdq,zz,,\n")
    data = json.loads(json.dumps(result.as_dict()))
    assert data["format"] == "csv"
    assert data["entry_count"] == 1
    assert data["bad_lines"] == 1
    assert data["low_quality"] == 1
    assert data["duplicates"] == 0
    assert data["errors"][0]["line"] == 3
    assert data["entries"] == [{"kind": "pdq", "value": pdq, "quality": 10, "label": "x"}]
    assert "entries" not in result.as_dict(include_entries=False)


# --- labels -----------------------------------------------------------------------------------


def test_labels_lose_control_characters_but_keep_tabs(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    entry = HashEntry("pdq", pdq, None, "a\tb\x1b[2Jc\x07d\x7fe\u202ef\x85g")
    assert entry.label == "a\tb[2Jcdef g"


def test_labels_line_breaks_become_spaces(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    assert HashEntry("pdq", pdq, None, "one\r\ntwo\nthree\rfour\u2028five").label == (
        "one two three four five"
    )
    assert HashEntry("pdq", pdq, None, "  padded \n").label == "padded"


def test_csv_label_control_characters_are_stripped(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    result = parse_hash_list(f"kind,value,label\npdq,{pdq},x\x1b]0;title\x07y\tz\n")
    assert result.entries[0].label == "x]0;titley\tz"


def test_labels_are_never_interpreted(rng: random.Random) -> None:
    labels = ["{0} %s $HOME", "<b>bold</b>", "\\n not a newline", "# not a comment", "a,b"]
    entries = [HashEntry("md5", random_hex("md5", rng), None, label) for label in labels]
    buf = io.StringIO()
    write_csv(entries, buf)
    assert [e.label for e in parse_hash_list(buf.getvalue()).entries] == labels


# --- HashEntry --------------------------------------------------------------------------------


def test_hash_entry_normalises_and_validates(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    assert HashEntry("pdq", pdq.upper()) == HashEntry("pdq", pdq)
    assert HashEntry.from_text(" PDQ ", f" {pdq} ", "42", "x") == HashEntry("pdq", pdq, 42, "x")
    with pytest.raises(InvalidHashEntry):
        HashEntry("pdq", "0" * 64)
    with pytest.raises(InvalidHashEntry):
        HashEntry("jpeg", pdq)  # type: ignore[arg-type]
    with pytest.raises(InvalidHashEntry):
        HashEntry("pdq", pdq, 101)
    with pytest.raises(InvalidHashEntry):
        HashEntry("pdq", pdq, True)
    with pytest.raises(InvalidHashEntry):
        HashEntry("pdq", pdq, None, "x" * (lists.MAX_LABEL_CHARS + 1))
    with pytest.raises(ValueError):  # InvalidHashEntry is a ValueError too
        HashEntry.from_text("md5", "nope")
    err = InvalidHashEntry("m")
    assert isinstance(err, errors.NciiDeskError)
    assert err.hint


# --- writing and round trips ------------------------------------------------------------------

TRICKY_LABELS = [
    "",
    "plain",
    "comma, inside",
    'quote " inside',
    '"fully quoted"',
    "newline\ninside",
    "crlf\r\ninside",
    "tab\tinside",
    "unicode: Ünïcödé, 日本語, العربية, emoji 👩🏽‍⚕️",
    '=HYPERLINK("http://example.invalid")',
    "+1 555",
    "-minus",
    "@at",
    "'apostrophe",
    "''=double",
    "'",
    "# hash",
    "   spaces around   ",
]


def tricky_entries(rng: random.Random) -> list[HashEntry]:
    entries = []
    for i, label in enumerate(TRICKY_LABELS):
        kind = KINDS[i % len(KINDS)]
        quality = None if i % 3 == 0 else (i * 7) % 101
        entries.append(HashEntry(kind, random_hex(kind, rng), quality, label))
    return entries


def test_csv_round_trip_keeps_every_field(rng: random.Random, tmp_path: Path) -> None:
    entries = tricky_entries(rng)
    buf = io.StringIO()
    assert write_csv(entries, buf) == len(entries)
    text = buf.getvalue()
    assert text.count("\n") == len(entries) + 1  # every record on one line
    result = parse_hash_list(text)
    assert result.format == "csv"
    assert result.errors == []
    assert result.entries == entries

    path = tmp_path / "out.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_csv(entries, fh)
    assert load_hash_list(path).entries == entries
    with path.open("w", encoding="utf-8", newline="\r\n") as fh:
        write_csv(entries, fh)
    assert load_hash_list(path).entries == entries


def test_csv_labels_from_outside_survive_a_round_trip_after_cleaning(rng: random.Random) -> None:
    entry = HashEntry("pdq", random_hex("pdq", rng), 90, 'a "b",\nc\x00d')
    assert entry.label == 'a "b", cd'
    buf = io.StringIO()
    write_csv([entry], buf)
    assert parse_hash_list(buf.getvalue()).entries == [entry]


def test_write_csv_header_quoting_and_formula_escape(rng: random.Random) -> None:
    pdq = random_hex("pdq", rng)
    buf = io.StringIO()
    write_csv(
        [
            HashEntry("pdq", pdq, 90, 'x, "y"'),
            HashEntry("pdq", random_hex("pdq", rng), None, "=1+1"),
        ],
        buf,
    )
    lines = buf.getvalue().split("\n")
    assert lines[0] == "kind,value,quality,label"
    assert lines[1] == f'pdq,{pdq},90,"x, ""y"""'
    assert lines[2].endswith(",,'=1+1")
    assert lines[3] == ""


def test_pytx_round_trip_keeps_kind_and_value(rng: random.Random) -> None:
    entries = [HashEntry(kind, random_hex(kind, rng), 90, "lost") for kind in KINDS]
    buf = io.StringIO()
    assert write_pytx(entries, buf) == len(entries)
    result = parse_hash_list(buf.getvalue())
    assert result.format == "pytx"
    assert result.errors == []
    assert result.entries == [HashEntry(e.kind, e.value) for e in entries]


def test_write_pytx_lines_are_what_python_threatexchange_reads(rng: random.Random) -> None:
    entries = [HashEntry(kind, random_hex(kind, rng), 60, "label") for kind in KINDS]
    buf = io.StringIO()
    write_pytx(entries, buf)
    lines = buf.getvalue().split("\n")
    assert lines[-1] == ""
    for entry, line in zip(entries, lines, strict=False):
        # python-threatexchange: signal_type, _, signal = line.strip().partition(" ")
        kind, _, signal = line.strip().partition(" ")
        assert (kind, signal) == (entry.kind, entry.value)
        assert "#" not in line and "label" not in line


def test_write_pytx_leaves_out_low_quality_pdq_unless_asked(rng: random.Random) -> None:
    good = HashEntry("pdq", random_hex("pdq", rng), PDQ_MIN_QUALITY)
    low = HashEntry("pdq", random_hex("pdq", rng), PDQ_MIN_QUALITY - 1)
    unknown = HashEntry("pdq", random_hex("pdq", rng))
    md5 = HashEntry("md5", random_hex("md5", rng), 1)
    buf = io.StringIO()
    assert write_pytx([good, low, unknown, md5], buf) == 3
    assert [e.value for e in parse_hash_list(buf.getvalue()).entries] == [
        good.value,
        unknown.value,
        md5.value,
    ]
    buf = io.StringIO()
    assert write_pytx([good, low, unknown, md5], buf, keep_low_quality=True) == 4
    assert low.value in buf.getvalue()


def test_load_matches_parse_for_a_file(tmp_path: Path, rng: random.Random) -> None:
    entries = tricky_entries(rng)
    buf = io.StringIO()
    write_csv(entries, buf)
    path = write_bytes(tmp_path, buf.getvalue().encode("utf-8"), "list.csv")
    assert load_hash_list(path) == parse_hash_list(buf.getvalue())


# --- streaming (HashListStream: what hash-list import reads with) ------------------------------
#
# parse_hash_list checks a list line by line with HashEntry; the stream reads a file in
# batches, with quick paths and batch-wide numpy checks. Generated lists of every kind of
# line must give exactly the same result from both (entries, positions, errors, counts),
# whatever the batch and read-block sizes.

ODD_PYTX = ["", "   ", "# c", "\ufeff", "\ufeff# x", "\t", "pdq", "pdq a b", "x,y", "pdq 1\x00"]
ODD_CSV = ["", ",,,", " , ,", "# c", "pdq", '"unbalanced', 'pdq,"x', "\ufeff", "KIND,Value"]
QUALITIES = ["", "", "90", "49", "50", "0", "100", "101", " 75 ", "+5", "5.0", "abc", "007"]
LABELS = ["", "x", "=SUM(A1)", "'=x", " pad ", "kind of", "é", "a\x07b", "\u202eevil", "x" * 1001]


def odd_hex(kind: str, rng: random.Random) -> str:
    """Mostly valid hashes, and every way a value can be refused."""
    digits = LENGTHS[kind]
    pick = rng.random()
    if pick < 0.05:
        return "0" * digits
    if pick < 0.1:  # at and around the degenerate-hash limits
        ones = rng.choice([3, 4, 15, 16, 60, 61, 240, 241])
        return f"{(1 << min(ones, digits * 4)) - 1:0{digits}x}"
    if pick < 0.12:
        return (
            "d41d8cd98f00b204e9800998ecf8427e" if digits == 32 else hashlib.sha256(b"").hexdigest()
        )
    if pick < 0.15:
        return random_hex(kind, rng)[:-1]
    if pick < 0.17:
        return random_hex(kind, rng)[:-1] + "g"
    value = random_hex(kind, rng)
    return value.upper() if rng.random() < 0.1 else value


def generated_list(rng: random.Random) -> str:
    lines: list[str] = []
    seen: list[str] = []
    count = rng.randint(0, 80)
    if rng.random() < 0.5:
        lines += [rng.choice(["", "# hi", "\ufeff"]) for _ in range(rng.randint(0, 3))]
        for _ in range(count):
            if seen and rng.random() < 0.15:
                lines.append(rng.choice(seen))
            elif rng.random() < 0.1:
                lines.append(rng.choice(ODD_PYTX))
            else:
                kind = rng.choice(KINDS)
                name = kind.upper() if rng.random() < 0.05 else kind
                sep = rng.choice([" "] * 8 + ["\t", "  "])
                tail = rng.choice([""] * 8 + ["  ", "\t", " # note", "#x"])
                lines.append(f"{name}{sep}{odd_hex(kind, rng)}{tail}")
                seen.append(lines[-1])
    else:
        columns = ["kind", "value", *rng.sample(["quality", "label", "notes"], rng.randint(0, 3))]
        rng.shuffle(columns)
        lines += [rng.choice(["", "# hi", "\ufeff", "x\x00"]) for _ in range(rng.randint(0, 2))]
        lines.append(",".join(c.upper() if rng.random() < 0.2 else c for c in columns))
        for _ in range(count):
            if seen and rng.random() < 0.12:
                lines.append(rng.choice(seen))
                continue
            if rng.random() < 0.08:
                lines.append(rng.choice(ODD_CSV))
                continue
            kind = rng.choice(KINDS)
            cell = {
                "kind": kind if rng.random() > 0.05 else rng.choice([" pdq", "PDQ", "sha1", ""]),
                "value": odd_hex(kind, rng) if rng.random() > 0.03 else " " + odd_hex(kind, rng),
                "quality": rng.choice(QUALITIES),
                "label": rng.choice([*LABELS, '"quoted, comma"', '"a ""b"""']),
                "notes": rng.choice(["", "n", '"q"']),
            }
            cells = [cell[c] for c in columns]
            lines.append(",".join(cells[: -1 if rng.random() < 0.05 else None]))
            seen.append(lines[-1])
    end = rng.choice(["\n", "\r\n"])
    text = end.join(lines) + (end if rng.random() < 0.8 else "")
    return ("\ufeff" if rng.random() < 0.2 else "") + text


def streamed(path: Path, fmt: str | None = None, batch_lines: int | None = None) -> ParsedList:
    """The stream's result as a ParsedList; also checks that batches number on without gaps."""
    entries: list[HashEntry] = []
    with lists.HashListStream(path, fmt, batch_lines=batch_lines) as stream:
        for batch in stream.batches():
            assert batch.start == len(entries)
            entries.extend(batch.entries())
        assert stream.entry_count == len(entries)
        return ParsedList(
            stream.format,
            entries,
            list(stream.errors),
            stream.duplicates,
            stream.low_quality,
            stream.errors_not_listed,
        )


@pytest.mark.parametrize("seed", range(60))
def test_stream_gives_what_the_line_by_line_parser_gives(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    text = generated_list(rng)
    fmt = rng.choice([None, None, None, "pytx", "csv"])
    path = write_bytes(tmp_path, text.encode())
    monkeypatch.setattr(list_parse, "_READ_BLOCK", rng.choice([1, 2, 7, 64, 1 << 20]))
    try:
        want: ParsedList | str = parse_hash_list(text, fmt)
    except errors.NciiDeskError as exc:
        want = exc.message
    for batch_lines in (1, 3, 100_000):
        try:
            got: ParsedList | str = streamed(path, fmt, batch_lines)
        except errors.NciiDeskError as exc:
            got = exc.message
        assert got == want


def test_stream_reports_a_bad_line_deep_in_the_file_by_its_number(tmp_path: Path) -> None:
    rows = 200_000
    gen = random.Random(5)
    values = [random_hex("pdq", gen) for _ in range(rows)]
    lines = [f"pdq {v}" for v in values]
    lines[150_000] = "pdq " + "g" * 64  # line 150,001, in the second batch of 100,000
    lines[180_000] = lines[10]  # a duplicate of a line in the first batch
    path = write_bytes(tmp_path, ("\n".join(lines) + "\n").encode())
    with lists.HashListStream(path) as stream:
        batches = list(stream.batches())
        assert [e.line for e in stream.errors] == [150_001]
        assert "hex digits" in stream.errors[0].message
        assert stream.duplicates == 1
        assert stream.entry_count == len(lines) - 2
        assert stream.lines_read == len(lines)
        assert stream.bytes_read == stream.size == path.stat().st_size
        assert stream.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [len(b) for b in batches] == [100_000, len(lines) - 100_002]
    second = batches[1]
    assert second.start == 100_000
    assert second.values[50_000 - 1] == values[149_999]  # the line before the bad one
    assert second.values[50_000] == values[150_001]  # the bad line takes no position
    assert values[10] not in second.values


def test_stream_reads_crlf_bom_and_trailing_spaces(tmp_path: Path, rng: random.Random) -> None:
    values = [random_hex("pdq", rng) for _ in range(5)]
    text = "\ufeff" + "".join(
        f"pdq {v}{tail}\r\n" for v, tail in zip(values, ["", "  ", "\t", " \t ", ""], strict=True)
    )
    path = write_bytes(tmp_path, text.encode())
    result = streamed(path)
    assert result.errors == [] and result.format == "pytx"
    assert [e.value for e in result.entries] == values
    assert result == parse_hash_list(text)
    csv_text = "\ufeffkind,value,quality,label\r\n" + "".join(
        f"pdq,{v.upper()},{90 - i},label {i}  \r\n" for i, v in enumerate(values)
    )
    result = streamed(write_bytes(tmp_path, csv_text.encode(), "l.csv"))
    assert result.errors == [] and result.format == "csv"
    assert [(e.value, e.quality, e.label) for e in result.entries] == [
        (v, 90 - i, f"label {i}") for i, v in enumerate(values)
    ]


def test_stream_index_rows_are_the_matchable_pdq_entries(
    tmp_path: Path, rng: random.Random
) -> None:
    rows = ["kind,value,quality,label"]
    expected: list[tuple[int, str]] = []
    for position in range(300):
        kind = "pdq" if position % 3 else "md5"
        quality = rng.choice(["", "20", "49", "50", "99"])
        value = random_hex(kind, rng)
        rows.append(f"{kind},{value},{quality},l{position}")
        if kind == "pdq" and (quality == "" or int(quality) >= PDQ_MIN_QUALITY):
            expected.append((position, value))
    path = write_bytes(tmp_path, ("\n".join(rows) + "\n").encode(), "l.csv")
    with lists.HashListStream(path, batch_lines=37) as stream:
        for _ in stream.batches():
            pass
        index = stream.pdq_index()
        hashes = [bytes(row).hex() for block in index.blocks for row in block]
    assert index.count == len(expected)
    assert index.positions.tolist() == [p for p, _ in expected]
    assert hashes == [v for _, v in expected]


def test_stream_dedupe_is_exact_when_every_value_collides(
    monkeypatch: pytest.MonkeyPatch, rng: random.Random
) -> None:
    """With a mix that sends every value to the same slot, only whole-row equality decides."""
    import numpy as np

    monkeypatch.setattr(
        list_stream._UniqueRows, "_mix", lambda self, rows: np.zeros(len(rows), np.uint64)
    )
    unique = list_stream._UniqueRows(32)
    base = bytes.fromhex(random_hex("pdq", rng))
    values = [base[:-1] + bytes([i]) for i in range(150)]  # differ in the last byte only
    seen: set[bytes] = set()
    for _ in range(6):
        batch = [rng.choice(values) for _ in range(60)]
        mask = unique.add(np.frombuffer(b"".join(batch), np.uint8).reshape(-1, 32))
        want = []
        for value in batch:
            want.append(value not in seen)
            seen.add(value)
        assert mask.tolist() == want
    assert unique.count == len(seen)


def test_stream_dedupe_matches_a_set_across_table_growth(rng: random.Random) -> None:
    import numpy as np

    unique = list_stream._UniqueRows(8)
    gen = np.random.default_rng(7)
    seen: set[bytes] = set()
    for size in (10, 5000, 20_000, 60_000):
        rows = gen.integers(0, 4, size=(size, 8), dtype=np.uint8)  # many repeats
        mask = unique.add(rows)
        want = []
        for row in rows:
            key = row.tobytes()
            want.append(key not in seen)
            seen.add(key)
        assert mask.tolist() == want
    assert unique.count == len(seen)


def test_stream_refuses_a_file_over_its_limit_and_utf16(tmp_path: Path, rng: random.Random) -> None:
    path = write_bytes(tmp_path, f"pdq {random_hex('pdq', rng)}\n".encode() * 10)
    with pytest.raises(errors.InputFileError, match="up to 0 MiB"):
        lists.HashListStream(path, max_bytes=100)
    with lists.HashListStream(path, max_bytes=path.stat().st_size) as stream:
        assert sum(len(b) for b in stream.batches()) == 1  # ten times the same hash
        assert stream.duplicates == 9
    utf16 = write_bytes(tmp_path, f"pdq {random_hex('pdq', rng)}\n".encode("utf-16"), "u.txt")
    with pytest.raises(errors.InputFileError, match="UTF-16"):
        lists.HashListStream(utf16)
