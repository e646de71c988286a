"""``ncii-desk capture``, ``recheck`` and ``item custody``: output shapes and exit codes.

The commands run in-process against a real vault and a real server on 127.0.0.1. Proxies
from the environment are switched off with NO_PROXY=* (the commands themselves honour them).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from capture_server import LocalServer, Route, image_bytes, page
from clikit import run_cli
from warcio.archiveiterator import ArchiveIterator

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "vault"
    vault, _ = Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="cli-advocate")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    return root


def test_capture_list_show_export_recheck_and_custody(
    desk: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pic = image_bytes(201)
    server.routes["/post"] = Route(page('<img src="/pic.png"><img src="/gone.png">'))
    server.routes["/pic.png"] = Route(pic, content_type="image/png")
    rc, out, _ = run_cli(capsys, "case", "new", "Case CLI", "--json")
    assert rc == 0
    case = json.loads(out)["id"]

    rc, out, err = run_cli(
        capsys, "capture", "Case CLI", server.url("/post"), "gone.example.invalid/x", "--json"
    )
    assert rc == 7, err  # one address failed, one was captured
    data = json.loads(out)
    assert (data["captured"], data["failed"], data["cancelled"]) == (1, 1, False)
    good, bad = data["results"]
    assert good["ok"] and good["mode"] == "page" and len(good["item_ids"]) == 2
    assert [r["error"]["reason"] for r in good["resources"] if r["error"]] == ["http-status"]
    assert bad["url"] == "https://gone.example.invalid/x"  # https:// added to a typed address
    assert bad["error"]["reason"] == "dns" and bad["error"]["hint"]

    rc, out, _ = run_cli(capsys, "capture", "list", case, "--json")
    listed = json.loads(out)
    assert rc == 0 and [c["error"] is None for c in listed] == [True, False]
    capture_id = listed[0]["id"]
    rc, out, _ = run_cli(capsys, "capture", "list", case)
    assert rc == 0 and "FAILED" in out and capture_id[:12] in out

    rc, out, _ = run_cli(capsys, "capture", "show", capture_id[:8], "--json")
    shown = json.loads(out)
    assert rc == 0 and shown["server_address"] == "127.0.0.1"
    assert shown["details"]["page"]["links_found"] == 2
    rc, out, _ = run_cli(capsys, "capture", "show", capture_id[:8])
    assert rc == 0 and "server address" in out and "127.0.0.1" in out

    target = tmp_path / "evidence.warc"
    rc, out, _ = run_cli(
        capsys, "capture", "export", capture_id, "--warc", str(target), "--reason", "court"
    )
    assert rc == 0 and str(target) in out
    data_warc = target.read_bytes()
    assert hashlib.sha256(data_warc).hexdigest() == shown["warc_sha256"]
    bodies = {
        r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
        for r in ArchiveIterator(io.BytesIO(data_warc), check_digests="raise")
        if r.rec_type == "response"
    }
    assert bodies[server.url("/pic.png")] == pic
    rc, _, err = run_cli(capsys, "capture", "export", capture_id, "--warc", str(target))
    assert rc == 1 and "already exists" in err
    rc, _, err = run_cli(capsys, "capture", "export", capture_id)
    assert rc == 2 and "--warc" in err

    rc, out, _ = run_cli(capsys, "recheck", case, "--json")
    assert rc == 0 and [r["outcome"] for r in json.loads(out)] == ["still_up"]
    server.routes["/post"] = Route(page("removed"), status=410)
    rc, out, _ = run_cli(capsys, "recheck", case)
    assert rc == 0 and "GONE" in out and "410" in out

    item = next(i for i in good["item_ids"] if i != good["main"]["item_id"])
    rc, out, _ = run_cli(capsys, "item", "custody", item[:10], "--json")
    custody: dict[str, Any] = json.loads(out)
    assert rc == 0 and custody["audit_chain_ok"] is True
    assert [e["action"] for e in custody["events"]] == [
        "capture.created",
        "item.added",
        "capture.screenshot",
        "item.hashed",
        "capture.exported",
        "capture.rechecked",
        "capture.rechecked",
    ]
    rc, out, _ = run_cli(capsys, "item", "custody", item[:10])
    assert rc == 0 and "capture.exported" in out and "Audit chain verified" in out


def test_recheck_notes_a_gone_page_in_the_sent_request(
    desk: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/thread/7"] = Route(page("<p>no pictures here</p>"))
    assert run_cli(capsys, "case", "new", "Case R")[0] == 0
    assert run_cli(capsys, "capture", "Case R", server.url("/thread/7"))[0] == 0
    sender = ("--signer", "Ana Advocate", "--authority", "Written authorisation on file.")
    rc, out, err = run_cli(
        capsys,
        "requests",
        "draft",
        "Case R",
        "--route",
        "takedown",
        "--url",
        server.url("/thread/7"),
        "--sign",
        "--good-faith",
        "--covered-platform",
        "yes",
        "--email",
        "ana@clinic.example",
        *sender,
        "--json",
    )
    assert rc == 0, err
    (request,) = json.loads(out)["requests"]
    assert run_cli(capsys, "requests", "sent", request["id"])[0] == 0
    del server.routes["/thread/7"]  # taken down: the server now answers 404
    rc, out, _ = run_cli(capsys, "recheck", "Case R")
    assert rc == 0 and "GONE" in out
    rc, out, _ = run_cli(capsys, "requests", "Case R")
    assert rc == 0 and "gone since " in out and " UTC" in out
    rc, out, _ = run_cli(capsys, "requests", "show", request["id"], "--json")
    shown = json.loads(out)
    assert shown["status"] == "sent" and shown["gone_since"] is not None
    (line,) = [h for h in shown["history"] if h["event"] == "content_gone"]
    assert line["url"] == server.url("/thread/7") and line["http_status"] == 404
    assert line["note"] == f"content gone since {shown['gone_since'][:16].replace('T', ' ')} UTC"


def test_capture_usage_errors_and_all_failed(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(capsys, "case", "new", "Case U")
    rc, _, err = run_cli(capsys, "capture", "Case U")
    assert rc == 2 and "at least one web address" in err
    rc, _, err = run_cli(capsys, "capture", "list")
    assert rc == 2 and "Give one case" in err
    rc, out, err = run_cli(capsys, "capture", "Case U", "file:///etc/passwd", "--json")
    assert rc == 1
    assert json.loads(out)["results"][0]["error"]["reason"] == "scheme"
    rc, _, err = run_cli(capsys, "capture", "Case U", "javascript:alert(1)")
    assert rc == 1 and "FAILED" in err and "only web addresses" in err
    rc, _, err = run_cli(capsys, "capture", "Case U", "https://x.invalid/", "--max-bytes", "12")
    assert rc == 2 and "size" in err
    rc, out, _ = run_cli(capsys, "recheck", "Case U")
    assert rc == 0 and "No captured addresses" in out
