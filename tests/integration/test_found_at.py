"""Where a file added by hand was found online: ``add --source-url/--page-url/--sources`` and
``item source``, up to the removal letter that lists the file with those addresses."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
from clikit import Cli
from guikit import benign_picture
from PIL import Image
from sqlalchemy import func, select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases, found_at
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, Capture, EvidenceItem, Role, Source

CDN = "https://cdn.example.net/i/7f3a9c.jpg"
PAGE = "https://forum.example.org/t/12345?page=2"


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def events(vault_dir: Path, action: str) -> list[dict[str, Any]]:
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as vault, vault.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [{"object_id": e.object_id, **json.loads(e.details)} for e in rows]


def stored(vault_dir: Path) -> tuple[int, int]:
    """(items, blobs) in the vault."""
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as vault, vault.session() as s:
        items = s.scalar(select(func.count()).select_from(EvidenceItem)) or 0
        blobs = s.scalar(select(func.count()).select_from(Blob)) or 0
    return items, blobs


@pytest.fixture
def desk(vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A vault with a case holding one original photo, the clinic's details set."""
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case = cases.new_case(vault, "Case S")
    tracker.set_clinic(vault, signer="Ana Advocate", email="ana@clinic.example", authority="Yes.")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    files = tmp_path / "files"
    files.mkdir()
    benign_picture(1).save(files / "beach.png")
    benign_picture(1).resize((300, 300), Image.Resampling.LANCZOS).save(
        files / "download.jpg", quality=88
    )
    benign_picture(5).save(files / "screenshot.png")
    benign_picture(6).save(files / "other.png")
    return {"case": case.id, "files": files, "vault": vault_dir}


def draft(cli: Cli, out: Path, *extra: str) -> Any:
    return cli(
        "requests", "draft", "Case S", "--route", "takedown", "--sign", "--good-faith",
        "--covered-platform", "yes", "--format", "pdf", "--out", str(out), *extra, "--json",
    )  # fmt: skip


def test_source_url_reaches_the_takedown_letter(
    cli: Cli, desk: dict[str, Any], tmp_path: Path
) -> None:
    files = desk["files"]
    r = cli("add", "original", "Case S", str(files / "beach.png"), "--json")
    assert r.rc == 0, r.err
    r = cli(
        "add", "suspect", "Case S", str(files / "download.jpg"),
        "--source-url", f"  {CDN} ", "--page-url", PAGE, "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    [item] = r.json()["added"]
    assert (item["source_url"], item["page_url"]) == (CDN, PAGE)  # spaces around dropped
    assert r.json()["hashing"]["new_matches"] == 1  # the copy of the original
    [added] = [e for e in events(desk["vault"], "item.added") if e["object_id"] == item["id"]]
    assert (added["source_url"], added["page_url"]) == (CDN, PAGE)
    with Vault.open(desk["vault"], passphrase=PASSPHRASE) as vault, vault.session() as s:
        row = s.get(EvidenceItem, item["id"])
        assert row is not None and row.capture_id is not None
        assert row.details == {"source_url": CDN, "page_url": PAGE}
        capture = s.get(Capture, row.capture_id)
        assert capture is not None and capture.details["kind"] == "file"
        assert (capture.details["source_url"], capture.details["page_url"]) == (CDN, PAGE)
        assert capture.details["name"] == "download.jpg"

    r = draft(cli, tmp_path / "letters")
    assert r.rc == 0, r.err  # the validator found the location of every depiction
    [request] = r.json()["requests"]
    assert request["item_ids"] == [item["id"]] and request["urls"] == [CDN, PAGE]
    assert r.json()["not_included"] == []
    [letter] = (tmp_path / "letters").glob("takedown-*.pdf")
    text = pdf_text(letter)
    assert "TAKE IT DOWN" in text
    assert CDN in text and f"Shown on the page: {PAGE}" in text
    assert item["sha256"] in "".join(text.split())  # a long hash may wrap in the PDF
    assert "download.jpg" not in text


def test_a_matched_file_without_an_address_gets_one_later_and_is_then_located(
    cli: Cli, desk: dict[str, Any], tmp_path: Path
) -> None:
    files = desk["files"]
    assert cli("add", "original", "Case S", str(files / "beach.png")).rc == 0
    r = cli("add", "suspect", "Case S", str(files / "download.jpg"), "--json")
    assert r.rc == 0, r.err
    [item] = r.json()["added"]
    assert (item["source_url"], item["page_url"]) == ("", "")
    r = draft(cli, tmp_path / "none", "--item", item["id"][:10])
    assert r.rc == 2 and r.json()["error"] == "MissingElements"
    assert f"no web address for item {item['id'][:12]}" in r.json()["message"]

    r = cli("item", "source", item["id"][:10], "--source-url", "https://cdn.example.net/x.jpg")
    assert r.rc == 0, r.err
    assert "own address:  - -> https://cdn.example.net/x.jpg" in r.out
    assert "Recorded in the audit log" in r.out
    r = cli(
        "item", "source", item["id"][:10], "--source-url", CDN, "--page-url", PAGE, "--json"
    )  # a correction: both shown, old and new
    assert r.rc == 0, r.err
    assert r.json() == {
        "item_id": item["id"],
        "old": {"source_url": "https://cdn.example.net/x.jpg", "page_url": ""},
        "new": {"source_url": CDN, "page_url": PAGE},
        "changed": True,
    }
    logged = events(desk["vault"], found_at.SOURCE_SET_ACTION)
    assert [(e["object_id"], e["old"]["source_url"], e["new"]["source_url"]) for e in logged] == [
        (item["id"], "", "https://cdn.example.net/x.jpg"),
        (item["id"], "https://cdn.example.net/x.jpg", CDN),
    ]
    assert logged[1]["new"]["page_url"] == PAGE and logged[1]["sha256"] == item["sha256"]

    r = draft(cli, tmp_path / "letters")  # matched, and now located: no --item needed
    assert r.rc == 0, r.err
    [letter] = (tmp_path / "letters").glob("takedown-*.pdf")
    text = pdf_text(letter)
    assert CDN in text and f"Shown on the page: {PAGE}" in text
    assert "https://cdn.example.net/x.jpg" not in text


def test_later_changes_keep_or_remove_the_page_and_same_values_change_nothing(
    cli: Cli, desk: dict[str, Any]
) -> None:
    r = cli(
        "add", "suspect", "Case S", str(desk["files"] / "screenshot.png"), "--no-hash",
        "--source-url", PAGE, "--json",
    )  # fmt: skip
    [item] = r.json()["added"]
    ref = item["id"][:10]
    r = cli("item", "source", ref, "--source-url", CDN, "--page-url", PAGE, "--json")
    assert r.json()["new"] == {"source_url": CDN, "page_url": PAGE}
    r = cli("item", "source", ref, "--source-url", CDN + "?v=2", "--json")  # page kept
    assert r.json()["new"] == {"source_url": CDN + "?v=2", "page_url": PAGE}
    r = cli("item", "source", ref, "--source-url", CDN + "?v=2")
    assert r.rc == 0 and "nothing changed" in r.out
    r = cli("item", "source", ref, "--source-url", CDN, "--page-url", "", "--json")
    assert r.json()["new"] == {"source_url": CDN, "page_url": ""}  # page removed
    r = cli("item", "show", ref, "--json")
    assert (r.json()["source_url"], r.json()["page_url"]) == (CDN, "")
    assert len(events(desk["vault"], found_at.SOURCE_SET_ACTION)) == 3

    r = cli("item", "source", ref, "--source-url", "ftp://cdn.example.net/x.jpg", "--json")
    assert r.rc == 2 and r.json()["error"] == "BadAddress"
    assert "https://" in r.json()["message"] and r.json()["hint"]
    r = cli("item", "show", ref, "--json")
    assert r.json()["source_url"] == CDN  # unchanged after the refusal
    assert len(events(desk["vault"], found_at.SOURCE_SET_ACTION)) == 3


def test_a_captured_item_keeps_the_address_of_its_capture(cli: Cli, desk: dict[str, Any]) -> None:
    with Vault.open(desk["vault"], passphrase=PASSPHRASE) as vault, vault.transaction() as s:
        capture = Capture(case_id=desk["case"], url=PAGE, http_status=200, details={"kind": "web"})
        s.add(capture)
        s.flush()
        item = EvidenceItem(
            case_id=desk["case"],
            role=Role.SUSPECT,
            source=Source.URL,
            size=10,
            mime="image/jpeg",
            sha256="3c" * 32,
            md5="3c" * 16,
            capture_id=capture.id,
            details={"url": CDN, "page_url": PAGE},
        )
        s.add(item)
        s.flush()
        item_id = item.id
    r = cli("item", "source", item_id, "--source-url", "https://elsewhere.example/x.jpg")
    assert r.rc == 1 and "captured from the web" in r.err and PAGE in r.err
    r = cli("item", "show", item_id, "--json")
    assert (r.json()["source_url"], r.json()["page_url"]) == (CDN, PAGE)
    assert events(desk["vault"], found_at.SOURCE_SET_ACTION) == []


@pytest.mark.parametrize(
    ("source", "page", "says"),
    [
        ("cdn.example.net/i/1.jpg", None, "must start with https:// or http://"),
        ("ftp://cdn.example.net/i/1.jpg", None, "must start with https:// or http://"),
        ("javascript:alert(1)", None, "must start with https:// or http://"),
        ("https://", None, "site's name is missing"),
        ("https://cdn.example.net:99999/1.jpg", None, "cannot be read"),
        (f"{CDN} {PAGE}", None, "spaces or line breaks"),
        ("  ", None, "is empty"),
        (CDN, "forum.example.org/t/1", "The address of the page it was on"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(
    cli: Cli, desk: dict[str, Any], source: str, page: str | None, says: str
) -> None:
    before = stored(desk["vault"])
    argv = ["add", "suspect", "Case S", str(desk["files"] / "download.jpg"), "--source-url", source]
    r = cli(*argv, *(["--page-url", page] if page is not None else []), "--json")
    assert r.rc == 1, r.out
    out = r.json()
    assert out["added"] == [] and out["hashing"] is None
    [error] = out["errors"]
    assert error["path"].endswith("download.jpg") and says in error["message"]
    assert "address bar" in error["hint"]
    assert stored(desk["vault"]) == before  # no item, no stored file


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/a?b=c#d",
        "http://127.0.0.1:8080/x.jpg",
        "https://b\u00fccher.example/\u00fc.jpg",
        "HTTPS://Example.com/X",
        "https://[2001:db8::1]/x.jpg",
    ],
)
def test_complete_web_addresses_are_kept_as_given(text: str) -> None:
    assert found_at.check_address(f" {text}\n") == text


def test_source_url_is_for_one_file_and_page_url_needs_it(cli: Cli, desk: dict[str, Any]) -> None:
    files = desk["files"]
    before = stored(desk["vault"])
    r = cli("add", "suspect", "Case S", str(files / "download.jpg"), str(files / "other.png"),
            "--source-url", CDN, "--json")  # fmt: skip
    assert r.rc == 2 and r.json()["error"] == "InvalidSetting"
    assert "--sources FILE.csv" in r.json()["hint"]
    r = cli("add", "suspect", "Case S", str(files), "--source-url", CDN)
    assert r.rc == 2 and "one file" in r.err
    r = cli("add", "suspect", "Case S", str(files / "other.png"), "--page-url", PAGE)
    assert r.rc == 2 and "--page-url needs --source-url" in r.err
    assert stored(desk["vault"]) == before


def test_a_sources_file_gives_each_file_its_own_addresses(
    cli: Cli, desk: dict[str, Any], tmp_path: Path
) -> None:
    files = desk["files"]
    (files / "beach.png").unlink()  # only suspects in the folder
    sources = tmp_path / "sources.csv"
    sources.write_text(
        "\ufeffPath,Source_URL,Page_URL\n"  # as a spreadsheet saves it: BOM, other case
        f"files/download.jpg,{CDN},{PAGE}\n"
        f'"{files / "screenshot.png"}",{PAGE},\n'
        "files/other.png,not an address,\n"
        f"files/gone.png,{CDN},\n",
        encoding="utf-8",
    )
    r = cli("add", "suspect", "Case S", str(files), "--sources", str(sources), "--json")
    assert r.rc == 7, r.err  # one file refused, the others added
    out = r.json()
    got = {i["original_filename"]: (i["source_url"], i["page_url"]) for i in out["added"]}
    assert got == {"download.jpg": (CDN, PAGE), "screenshot.png": (PAGE, "")}
    [error] = out["errors"]
    assert error["path"].endswith("other.png") and "not an address" in error["message"]
    assert out["unused_addresses"] == [str((files / "gone.png").resolve())]
    assert stored(desk["vault"])[0] == 2
    r = cli("add", "suspect", "Case S", str(files), "--sources", str(sources))
    assert "gone.png has addresses in the sources file but was not among" in r.err

    bad = tmp_path / "bad.csv"
    bad.write_text("file,address\nx.png,https://a.example/x\n")
    r = cli("add", "suspect", "Case S", str(files), "--sources", str(bad), "--json")
    assert r.rc == 2 and "path and source_url" in r.json()["message"]
    assert "path,source_url,page_url" in r.json()["hint"]
    clash = tmp_path / "clash.csv"
    clash.write_text(f"path,source_url\nfiles/other.png,{CDN}\nfiles/other.png,{PAGE}\n")
    r = cli("add", "suspect", "Case S", str(files), "--sources", str(clash), "--json")
    assert r.rc == 2 and "line 3" in r.json()["message"]
    r = cli("add", "suspect", "Case S", str(files / "other.png"), "--sources", str(sources),
            "--source-url", CDN)  # fmt: skip
    assert r.rc == 2 and "cannot be combined" in r.err
    assert stored(desk["vault"])[0] == 2  # the second full run found both already there
