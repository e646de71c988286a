"""The whole advocate flow, end to end, through the ``ncii-desk`` command line (in-process).

One realistic case: a vault made with ``vault init`` (the smallest key-derivation settings the
vault accepts), a case with a pseudonym, the client's reference face photos (one with five
people: the advocate picks hers), her original photos (scikit-image samples, benign) plus one
damaged JPEG, and a web page on a real 127.0.0.1 server showing a resized copy of an original,
a mirrored copy, an edited derivative (a region pasted over) and another face photo. The
page is captured (with one unreachable address in the same batch), matched, analysed once,
reviewed; a TAKE IT DOWN request is drafted and sent; one picture is taken down and the case
rechecked; the evidence packet is built and verified (and fails when a byte is changed);
the hand-out, the audit trail, the vault check and the item's custody are checked. The
vault-free commands (hash, scan, inspect, faces compare) and hash-list import/export run on
the same files. Afterwards a marker planted in names, notes and addresses must not appear in
readable form in the vault folder or the user's temp, cache and data folders.

A second test drives the bad-input paths once each. Needs ../shared/models and the test
photos; skips without them.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import cv2
import docx
import numpy as np
import pypdf
import pytest
from capture_server import LocalServer, Route, closed_port, page, photo_bytes
from clikit import Cli, Result, run_cli
from modelkit import FACES_DIR, require_models
from PIL import Image
from test_vault_at_rest import scan as scan_for_marker

from conftest import PASSPHRASE
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Case
from ncii_desk.vision import faces as F

require_models(F.MOBILEFACENET_FILE, "mesonet", what="face and manipulation models")
skdata = pytest.importorskip("skimage.data")

#: Where the pasted region goes in the edited derivative (x, y, w, h) on a 320x213 picture.
PASTE = (106, 53, 90, 80)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """The shared in-process runner (its ``json()`` needs stdout to be one JSON document and
    nothing else); here no command may end in a traceback either."""

    def run(*argv: str) -> Result:
        result = run_cli(capsys, *argv)
        assert "Traceback" not in result.err, result.err
        return result

    return run


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "vault"
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NO_PROXY", "*")  # the commands honour proxies; the server is local
    monkeypatch.setenv("no_proxy", "*")
    return root


def sample(name: str, side: int = 320) -> np.ndarray[Any, Any]:
    pixels = np.ascontiguousarray(getattr(skdata, name)()[..., :3])
    h, w = pixels.shape[:2]
    scale = side / max(h, w)
    size = (round(w * scale), round(h * scale))
    return np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA))


def png(pixels: np.ndarray[Any, Any]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def pdf_text(path: Path | bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    return "\n".join(p.extract_text() for p in reader.pages)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def iou(a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / (aw * ah + bw * bh - w * h)


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_advocate_flow_end_to_end(
    cli: Cli, desk: Path, web: LocalServer, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    marker = "NCIIMARK" + secrets.token_hex(8).upper() + "ZQX"
    out = tmp_path / "out"
    out.mkdir()

    # --- vault and case ----------------------------------------------------------------------
    r = cli("vault", "init", "--kdf-memory-mib", "64", "--kdf-seconds", "0.05", "--json")
    assert r.rc == 0, r.err
    init = r.json()
    assert init["vault"] == str(desk) and (desk / "vault.hdr").is_file()
    assert (init["kdf"]["memory_mib"], init["kdf"]["time_cost"]) == (64, 1)
    assert len(init["recovery_key"].split("-")) == 14

    r = cli(
        "case", "new", "Case 2026-E2E", "--pseudonym", f"Client {marker}",
        "--jurisdiction", "US-CA", "--notes", f"intake call, {marker}", "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    case = r.json()
    assert (case["label"], case["client_pseudonym"], case["jurisdiction"]) == (
        "Case 2026-E2E",
        f"Client {marker}",
        "US-CA",
    )
    assert (case["originals"], case["references"], case["suspects"]) == (0, 0, 0)
    label = "case 2026-e2e"  # labels are found ignoring case

    # --- reference faces ------------------------------------------------------------------
    r = cli(
        "add", "reference", label, str(FACES_DIR / "chirac1.jpg"),
        str(FACES_DIR / "chirac3.jpg"), "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    refs = {i["original_filename"]: i for i in r.json()["added"]}
    assert set(refs) == {"chirac1.jpg", "chirac3.jpg"} and r.json()["hashing"]["errors"] == []
    r = cli("faces", "list", label, "--json")
    assert r.rc == 0, r.err
    photos = {p["file_name"]: p for p in r.json()}
    single, crowd = photos["chirac1.jpg"], photos["chirac3.jpg"]
    assert len(single["faces"]) == 1 and single["faces"][0]["picked"] is True
    assert single["faces"][0]["chosen_by"] == "auto"
    assert len(crowd["faces"]) == 5 and not any(f["picked"] for f in crowd["faces"])
    x, y, w, h = crowd["faces"][0]["box"]  # largest first: Chirac, centre-left
    assert 190 <= x + w / 2 <= 270 and 130 <= y + h / 2 <= 210
    r = cli("faces", "pick", crowd["item_id"][:8], "1", "--json")
    assert r.rc == 0, r.err
    assert (r.json()["item_id"], r.json()["face_index"]) == (crowd["item_id"], 1)
    r = cli("faces", "list", label, "--json")
    picked = {p["file_name"]: [f["picked"] for f in p["faces"]] for p in r.json()}
    assert picked["chirac3.jpg"] == [True, False, False, False, False]

    # --- originals (one of them damaged) ------------------------------------------------------
    coffee, rocket, chelsea = sample("coffee"), sample("rocket"), sample("chelsea")
    originals = tmp_path / "originals"
    originals.mkdir()
    (originals / "coffee.png").write_bytes(png(coffee))
    (originals / "rocket.png").write_bytes(png(rocket))
    (originals / f"chelsea-{marker}.png").write_bytes(png(chelsea))
    (originals / "damaged.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300))
    r = cli("add", "original", label, str(originals), "--json")
    assert r.rc == 0, r.err  # a picture that cannot be decoded is still stored
    added = r.json()
    orig = {i["original_filename"]: i["id"] for i in added["added"]}
    assert len(orig) == 4 and added["errors"] == [] and added["duplicates"] == 0
    assert added["hashing"]["hashed"] == 3
    [bad] = added["hashing"]["errors"]
    assert bad["path"].endswith("damaged.jpg") and "cannot be decoded" in bad["error"]
    assert bad["hint"]

    # --- the web page ----------------------------------------------------------------------
    resized = cv2.resize(coffee, (200, 133), interpolation=cv2.INTER_AREA)
    mirrored = np.ascontiguousarray(rocket[:, ::-1])
    edited = chelsea.copy()
    px, py, pw, ph = PASTE
    edited[py : py + ph, px : px + pw] = cv2.resize(sample("astronaut")[100:200, 150:250], (pw, ph))
    face = np.asarray(Image.open(FACES_DIR / "chirac4.jpg").convert("RGB"))
    served = {
        "resized.jpg": photo_bytes(resized),
        "mirror.jpg": photo_bytes(mirrored),
        "edited.jpg": photo_bytes(edited),
        "face.jpg": photo_bytes(face),
    }
    for name, body in served.items():
        web.routes[f"/i/{name}"] = Route(body, content_type="image/jpeg")
    page_path = f"/posts/{marker.lower()}"
    web.routes[page_path] = Route(page("".join(f'<img src="/i/{n}">' for n in served)))
    page_url = web.url(page_path)
    dead_url = f"http://127.0.0.1:{closed_port()}/gone"

    r = cli("capture", label, page_url, dead_url, "--json")
    assert r.rc == 7, r.err  # one address failed, the batch went on
    batch = r.json()
    assert (batch["captured"], batch["failed"], batch["cancelled"]) == (1, 1, False)
    good, failed = batch["results"]
    assert failed["ok"] is False and failed["error"]["reason"] == "unreachable"
    assert failed["error"]["message"] and failed["error"]["hint"]
    assert good["ok"] and good["mode"] == "page" and good["http_status"] == 200
    assert good["main"]["server_address"] == "127.0.0.1" and len(good["item_ids"]) == 5
    by_name = {res["url"].rsplit("/", 1)[1]: res for res in good["resources"]}
    assert set(by_name) == set(served)
    for name, res in by_name.items():
        assert res["error"] is None and res["sniffed_type"] == "image/jpeg"
        assert res["size"] == len(served[name]) and res["via"] == "img src"
    item = {name: res["item_id"] for name, res in by_name.items()}
    page_item = good["main"]["item_id"]
    found = {(m["item_id"], m["original_item_id"]): m for m in good["matches"]}
    assert found[(item["resized.jpg"], orig["coffee.png"])]["kind"] == "pdq"  # not "rotated"
    assert found[(item["mirror.jpg"], orig["rocket.png"])]["kind"] == "pdq-dihedral"
    assert (item["edited.jpg"], orig[f"chelsea-{marker}.png"]) in found
    assert all(m["distance"] is None or m["distance"] <= m["threshold"] for m in found.values())
    assert not any(m["item_id"] == item["face.jpg"] for m in good["matches"])

    r = cli("item", "list", label, "--json")
    roles = [i["role"] for i in r.json()]
    assert roles.count("reference") == 2 and roles.count("original") == 4
    assert roles.count("suspect") == 5

    # --- analysis (one run) ------------------------------------------------------------------
    r = cli("analyze", label, "--json")
    assert r.rc == 0, r.err
    report = r.json()
    assert report["provider"] and report["gallery"]["faces"] == 2
    assert report["counts"]["analysed"] == 4 and report["counts"]["skipped"] == 1
    assert report["counts"]["failed"] == 0 and report["counts"]["with_errors"] == 0
    per_item = {i["item_id"]: i for i in report["items"]}
    assert (
        per_item[page_item]["status"] == "skipped" and "text/html" in per_item[page_item]["reason"]
    )
    assert set(per_item) == {page_item, *item.values()}  # every captured item was looked at
    assert report["new_matches"] == 4

    r = cli("matches", label, "--json")
    assert r.rc == 0, r.err
    matches = r.json()
    by_kind: dict[tuple[str, str], dict[str, Any]] = {
        (m["suspect_item_id"], m["kind"]): m for m in matches
    }
    derived = {name: by_kind[(item[name], "derivation")] for name in ("resized.jpg", "mirror.jpg")}
    assert derived["resized.jpg"]["target_item_id"] == orig["coffee.png"]
    assert derived["mirror.jpg"]["details"]["mirrored"] is True
    edit = by_kind[(item["edited.jpg"], "derivation")]
    assert edit["target_item_id"] == orig[f"chelsea-{marker}.png"]
    assert 0.05 < edit["details"]["altered_share"] < 0.3
    assert max(iou(box, PASTE) for box in edit["details"]["altered_boxes"]) > 0.5
    face_match = by_kind[(item["face.jpg"], "face")]
    assert face_match["target_item_id"] in {refs["chirac1.jpg"]["id"], refs["chirac3.jpg"]["id"]}
    assert face_match["score"] >= face_match["threshold"] == pytest.approx(0.4)
    assert all(m["review_state"] == "pending" for m in matches)

    r = cli("analyze", label, "--json")  # a second run does only what is new: nothing
    assert r.rc == 0 and r.json()["counts"]["analysed"] == 0 and r.json()["new_matches"] == 0

    # --- review ----------------------------------------------------------------------------
    confirm = by_kind[(item["mirror.jpg"], "pdq-dihedral")]["id"]
    reject = by_kind[(item["edited.jpg"], "local-features")]["id"]
    r = cli("matches", "confirm", confirm[:8], "--note", f"same photo, {marker}", "--json")
    assert r.rc == 0 and r.json()["review_state"] == "confirmed"
    r = cli("matches", "reject", reject[:8], "--note", "shown by derivation instead", "--json")
    assert r.rc == 0 and r.json()["review_state"] == "rejected"
    r = cli("matches", label, "--rematch", "--json")
    states = {m["id"]: m["review_state"] for m in r.json()}
    assert len(states) == len(matches)  # the rejected pair is not found again
    assert (states[confirm], states[reject]) == ("confirmed", "rejected")

    # --- removal request ---------------------------------------------------------------------
    r = cli(
        "clinic", "set", "--name", "Harbor Legal Clinic", "--signer", "Dana Advocate",
        "--email", "help@harbor.example", "--phone", "+1 555 0100", "--address", "1 Main St",
        "--authority", "retained by the client in writing", "--json",
    )  # fmt: skip
    assert r.rc == 0 and r.json()["name"] == "Harbor Legal Clinic"
    letters = out / "letters"
    r = cli(
        "requests", "draft", label, "--route", "takedown", "--out", str(letters),
        "--sign", "--good-faith", "--covered-platform", "yes", "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    drafted = r.json()
    # Each matched picture (every one here matches an original or the reference face), with
    # its own address and the page; not the page's HTML, not the client's own files, not
    # the failed address.
    [request] = drafted["requests"]
    assert request["platform"] == "127.0.0.1" and request["route"] == "takedown"
    assert request["status"] == "draft" and drafted["not_included"] == []
    assert request["item_ids"] == [item[n] for n in served]
    assert request["urls"][:2] == [by_name["resized.jpg"]["url"], page_url]
    assert request["urls"][2:] == [
        by_name[n]["url"] for n in ("mirror.jpg", "edited.jpg", "face.jpg")
    ]
    reviews = {d["url"].rsplit("/", 1)[1]: d["review"] for d in request["depictions"]}
    assert reviews == {
        "resized.jpg": "pending",
        "mirror.jpg": "confirmed",
        "edited.jpg": "pending",
        "face.jpg": "pending",
    }
    assert sorted(Path(f).name for f in drafted["files"]) == [
        "takedown-unknown-127-0-0-1.docx",
        "takedown-unknown-127-0-0-1.pdf",
    ]
    letter = docx_text(letters / "takedown-unknown-127-0-0-1.docx")
    assert page_url in letter and "/s/ Dana Advocate" in letter
    assert all(by_name[n]["sha256"] in letter and by_name[n]["url"] in letter for n in served)
    assert good["main"]["sha256"] not in letter  # the page's own HTML is no depiction
    assert "{{" not in letter and "coffee.png" not in letter and "chirac" not in letter
    r = cli(
        "requests", "draft", label, "--route", "takedown", "--sign", "--good-faith",
        "--covered-platform", "yes", "--json",
    )  # fmt: skip
    assert r.rc == 1 and r.json()["error"] == "AlreadyRequested"  # nothing new since
    assert request["id"][:12] in r.json()["message"] and "(draft)" in r.json()["message"]
    assert "TAKE IT DOWN" in pdf_text(letters / "takedown-unknown-127-0-0-1.pdf")

    r = cli("requests", "sent", request["id"][:8], "--json")
    assert r.rc == 0 and r.json()["state"] == "sent" and r.json()["time_left"].endswith("left")
    r = cli("case", "show", label, "--json")
    assert r.json()["open_requests"] == 1 and r.json()["nearest_deadline"]

    # --- one picture comes down ----------------------------------------------------------
    web.routes.pop("/i/resized.jpg")  # the server now answers 404 for it
    r = cli("recheck", label, "--json")
    assert r.rc == 0, r.err
    [check] = r.json()
    assert check["url"] == page_url and check["outcome"] == "changed"
    assert check["details"]["media"][by_name["resized.jpg"]["url"]] == "gone"
    assert check["details"]["media"][by_name["mirror.jpg"]["url"]] == "still_up"
    r = cli("requests", label, "--json")
    [listed] = r.json()
    assert listed["state"] == "sent" and listed["content"] == "changed"
    assert [c["outcome"] for c in listed["rechecks"]] == ["changed"]
    r = cli("requests", label)
    assert r.rc == 0 and "changed" in r.out and "left" in r.out

    # --- the same files without the vault ------------------------------------------------
    copies = tmp_path / "copies"
    copies.mkdir()
    for name, body in served.items():
        (copies / name).write_bytes(body)
    r = cli("hash", str(originals), "--json")
    assert r.rc == 7  # the damaged JPEG could not be decoded; the others were hashed
    lines = [json.loads(line) for line in r.out.splitlines()]
    hashed = {Path(h["path"]).name: h for h in lines}
    assert len(lines) == 4 and hashed["damaged.jpg"]["error"] and hashed["damaged.jpg"]["sha256"]
    assert all(h["pdq_quality"] >= 50 for n, h in hashed.items() if n != "damaged.jpg")

    shared = out / "shared.txt"
    r = cli("hashlist", "export", label, "--out", str(shared))
    assert r.rc == 0, r.err
    # One canonical `pdq` line per picture, then its tagged variants (`ncii_variant` lines,
    # which pytx readers skip: docs/hashlists.md).
    rows = [line.split() for line in shared.read_text().splitlines()]
    pdq_lines = [f for row in rows if row[0] == "pdq" for f in row]
    expected_pdq = {h["pdq"] for n, h in hashed.items() if n != "damaged.jpg"}
    assert set(pdq_lines[1::2]) == expected_pdq and len(pdq_lines) == 6
    assert all(row[0] in ("pdq", "ncii_variant") for row in rows)
    assert {row[3] for row in rows if row[0] == "ncii_variant"} == expected_pdq
    assert marker not in shared.read_text()  # hashes only, no file names
    r = cli("scan", str(copies), "--against", str(shared), "--json")
    assert r.rc == 0, r.err
    scanned = r.json()
    hits = {Path(m["path"]).name: m for m in scanned["matches"]}
    assert scanned["scanned"] == 4 and {"resized.jpg", "mirror.jpg"} <= set(hits)
    assert hits["mirror.jpg"]["method"] == "pdq-dihedral" and "face.jpg" not in hits

    csv_list = out / "shared.csv"
    r = cli("hashlist", "export", label, "--format", "csv", "--out", str(csv_list))
    assert r.rc == 0
    r = cli("hashlist", "import", str(csv_list), "--name", "own originals", "--json")
    assert r.rc == 0, r.err
    imported = r.json()
    # MD5, SHA-256 and PDQ of each original (the damaged one has no PDQ), then the tagged
    # variant rows of the pictures.
    csv_rows = csv_list.read_text().splitlines()[1:]
    canonical_rows = [r for r in csv_rows if r.split(",")[4] == ""]
    assert len(canonical_rows) == 11 and len(csv_rows) > 11
    assert imported["list"]["entry_count"] == len(csv_rows) and imported["bad_lines"] == []
    assert imported["new_matches"] >= 2  # the resized and the mirrored copy
    r = cli("hashlist", "import", str(csv_list), "--json")  # the same file again
    assert r.rc == 1 and "already imported" in r.json()["message"] and r.json()["hint"]

    r = cli(
        "inspect", str(copies / "edited.jpg"), "--original", str(originals / "coffee.png"),
        str(originals / f"chelsea-{marker}.png"), "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    inspected = r.json()
    assert Path(inspected["derivation"]["original_id"]).name == f"chelsea-{marker}.png"
    assert max(iou(b, PASTE) for b in inspected["derivation"]["altered_boxes"]) > 0.5
    signal = next(s for s in inspected["signals"] if s["kind"] == "derivation")
    assert signal["strength"] == "strong" and signal["caveat"]

    r = cli(
        "faces", "compare", "--reference", str(FACES_DIR / "chirac1.jpg"), "--suspect",
        str(copies / "face.jpg"), str(FACES_DIR / "codait_luciano.png"),
        str(copies / "edited.jpg"), "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    compared = {Path(s["path"]).name: s for s in r.json()["suspects"]}
    assert compared["face.jpg"]["match"] is True
    # The same photo pair as in the case's face match (where chirac3's face is also compared).
    assert compared["face.jpg"]["faces"][0]["similarity"] <= face_match["score"] + 1e-4
    assert compared["codait_luciano.png"]["match"] is False
    assert compared["edited.jpg"]["faces"] == []

    # --- second runs add nothing ---------------------------------------------------------
    r = cli("add", "original", label, str(originals), "--json")
    assert r.rc == 0 and r.json()["added"] == [] and len(r.json()["already_in_case"]) == 4
    assert r.json()["hashing"] is None  # nothing new to hash
    r = cli("add", "original", label, str(originals), "--again", "--json")
    assert r.rc == 0 and r.json()["duplicates"] == 4
    assert r.json()["hashing"]["new_matches"] == 0  # a duplicate original is no new target
    r = cli("matches", label, "--json")
    assert len(r.json()) == len(matches) + imported["new_matches"]
    r = cli("hashlist", "export", label, "--out", str(out / "again.txt"))
    assert (out / "again.txt").read_text() == shared.read_text()
    r = cli("analyze", label, "--json")
    assert r.rc == 0 and r.json()["counts"]["analysed"] == 0

    # --- evidence packet ----------------------------------------------------------------------
    # Exhibits: originals, reference photos, and the copies matched (not rejected) to them;
    # a captured page's own HTML and unmatched files are not exhibits.
    everything = cli("item", "list", label, "--json").json()
    own = {i["id"] for i in everything if i["role"] in ("original", "reference")}
    copies = {
        m["suspect_item_id"]
        for m in cli("matches", label, "--json").json()
        if m["target_item_id"] in own and m["review_state"] != "rejected"
    }
    exhibits = len(own) + len(copies)
    assert 2 + 4 < exhibits < len(everything)
    folder = out / "packet"
    r = cli("packet", label, "--out", str(folder), "--zip", "--sealed", "--json")
    assert r.rc == 0, r.err
    built = r.json()
    assert built["exhibits"] == exhibits and built["sealed_files"] == exhibits
    assert built["warnings"] == []
    assert Path(built["zip"]).is_file() and built["pdf_pages"] > 15
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert {"packet.pdf", "README.txt", "manifest.csv", "manifest.json"} <= set(names)
    # the files, the WARC and the screenshot of the page drawn from it
    assert sum(n.startswith("sealed/exhibit-") for n in names) == exhibits + 2
    assert sum(n.endswith("-capture-screenshot.png") for n in names) == 1
    text = pdf_text(folder / "packet.pdf")
    assert f"CLIENT {marker}" in text  # the pseudonymous caption
    assert page_url in text and by_name["mirror.jpg"]["url"] in text  # the picture's own address
    assert "not used (plain http)" in text and "127.0.0.1" in text
    assert "Made from original" in text and "{{" not in text
    assert f"score {face_match['score']:g} (threshold 0.4)" in text
    r = cli("packet", label, "--out", str(folder), "--json")  # never into a used folder
    assert r.rc == 1 and r.json()["error"] == "ExportError" and r.json()["hint"]

    r = cli("verify", str(folder), "--json")
    assert r.rc == 0 and r.json()["ok"] is True and r.json()["failures"] == []
    manifest = json.loads((folder / "manifest.json").read_text())
    assert r.json()["files_checked"] == len(manifest["files"])
    r = cli("verify", built["zip"])
    assert r.rc == 0 and "Packet OK" in r.out
    r = cli("verify", str(folder), "--with-vault", "--json")
    assert r.rc == 0 and r.json()["vault_checked"] is True
    assert r.json()["signature_valid"] is True
    # With only the file inside it: the packet's own verify_packet.py, run by an isolated
    # Python from an empty folder on the ZIP, with the key the clinic publishes.
    r = cli("clinic", "key", "--json")
    fingerprint = r.json()["fingerprint"]
    alone = tmp_path / "recipient"
    alone.mkdir()
    shutil.copy(folder / "verify_packet.py", alone / "verify_packet.py")
    done = subprocess.run(
        [sys.executable, "-I", "verify_packet.py", built["zip"], "--expect-key", fingerprint],
        cwd=alone,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and f"Signed by key {fingerprint}" in done.stdout, done.stdout

    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    flip_byte(changed / "packet.pdf", 2000)
    r = cli("verify", str(changed), "--json")
    assert r.rc == 3 and [f["file"] for f in r.json()["failures"]] == ["packet.pdf"]
    r = cli("verify", str(changed))
    assert r.rc == 3 and "packet.pdf: changed" in r.out and "Do not rely on this copy" in r.out
    shutil.rmtree(changed)
    shutil.copytree(folder, changed)
    flip_byte(changed / "manifest.csv", (changed / "manifest.csv").read_bytes().index(b"volume"))
    r = cli("verify", str(changed), "--json")
    # A changed manifest also no longer matches the vault's signature.
    assert r.rc == 3 and [f["file"] for f in r.json()["failures"]] == [
        "manifest.csv",
        "manifest.sig",
    ]
    shutil.rmtree(changed)
    shutil.copytree(folder, changed)
    flip_byte(changed / "manifest.json", (changed / "manifest.json").read_bytes().index(b"not "))
    r = cli("verify", str(changed), "--json")
    assert r.rc == 3 and [f["file"] for f in r.json()["failures"]] == [
        "manifest.json",
        "manifest.sig",
    ]
    bad_zip = tmp_path / "changed.zip"
    shutil.copy(built["zip"], bad_zip)
    with zipfile.ZipFile(bad_zip) as zf:
        member = zf.getinfo(next(n for n in zf.namelist() if n.endswith("packet.pdf")))
    flip_byte(bad_zip, member.header_offset + 30 + len(member.filename) + 1000)
    r = cli("verify", str(bad_zip), "--json")
    assert r.rc == 3 and r.json()["ok"] is False  # reported, not an internal error
    assert [f["file"] for f in r.json()["failures"]] == ["packet.pdf"]
    assert "cannot be read" in r.json()["failures"][0]["problem"]

    # --- hand-out, audit, vault, custody -----------------------------------------------------
    handout = out / "handout.pdf"
    r = cli("handout", label, "--out", str(handout), "--json")
    assert r.rc == 0 and Path(r.json()["file"]) == handout
    sheet = pdf_text(handout)
    assert "127.0.0.1" in sheet and "StopNCII" in sheet and marker not in sheet
    r = cli("handout", label, "--out", str(handout))
    assert r.rc == 1 and "already exists" in r.err and "--overwrite" in r.err

    r = cli("audit", "verify", "--json")
    assert r.rc == 0 and r.json()["ok"] is True
    assert r.json()["head_seq"] == r.json()["events"] and r.json()["head_behind_by"] == 0
    r = cli("vault", "check", "--json")
    assert r.rc == 0 and r.json()["ok"] is True and r.json()["problems"] == []
    assert r.json()["blobs_checked"] >= 13  # 11 distinct files, the WARC, the letters

    r = cli("item", "custody", item["mirror.jpg"][:8], "--json")
    assert r.rc == 0 and r.json()["audit_chain_ok"] is True
    custody = r.json()
    assert custody["item"]["details"]["url"] == by_name["mirror.jpg"]["url"]
    assert custody["capture"]["url"] == page_url
    actions = [e["action"] for e in custody["events"]]
    for action in ("capture.created", "item.added", "item.hashed", "match.found"):
        assert action in actions
    assert actions.index("capture.created") < actions.index("match.confirmed")
    assert actions.index("match.confirmed") < actions.index("capture.rechecked")
    assert actions[-1] == "item.exported"  # into the packet's sealed volume
    r = cli("item", "custody", item["edited.jpg"])
    assert r.rc == 0 and "match.rejected" in r.out and "no TLS (plain http)" in r.out

    # --- nothing readable outside the vault ----------------------------------------------
    with Vault.open(desk, passphrase=PASSPHRASE) as vault, vault.session() as s:
        assert marker in s.get(Case, case["id"]).notes  # type: ignore[union-attr]
    assert scan_for_marker([desk, isolated_user_dirs], marker) == []


def test_bad_input_paths(cli: Cli, desk: Path, web: LocalServer, tmp_path: Path) -> None:
    assert cli("vault", "init", "--kdf-memory-mib", "64", "--kdf-seconds", "0.05").rc == 0
    r = cli("case", "new", "Case B", "--json")
    case_id = r.json()["id"]

    # Unknown case name: nothing is added.
    good = tmp_path / "good.png"
    good.write_bytes(png(sample("coffee", 160)))
    r = cli("add", "suspect", "No such case", str(good), "--json")
    assert r.rc == 1 and r.json()["error"] == "CaseNotFound"
    assert "No such case" in r.json()["message"] and "case list" in r.json()["hint"]

    # An id prefix that fits two cases.
    twin = case_id[:8] + ("1" if case_id[8] == "0" else "0") + "0" * 23
    with Vault.open(desk, passphrase=PASSPHRASE) as vault, vault.transaction() as s:
        s.add(Case(id=twin, label="Case B twin"))
    r = cli("case", "show", case_id[:8], "--json")
    assert r.rc == 1 and r.json()["error"] == "AmbiguousName" and r.json()["hint"]
    r = cli("case", "show", case_id[:9], "--json")  # one more character tells them apart
    assert r.rc == 0 and r.json()["id"] == case_id

    # A damaged JPEG and a missing file among good files: the batch goes on.
    damaged = tmp_path / "damaged.jpg"
    damaged.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300))
    r = cli("add", "suspect", case_id, str(good), str(damaged), str(tmp_path / "missing.jpg"))
    assert r.rc == 7, r.err
    assert "Added 2 item(s)" in r.out
    err_lines = r.err.splitlines()
    note = next(i for i, line in enumerate(err_lines) if line.startswith("note: not hashed:"))
    assert "damaged.jpg" in err_lines[note] and "cannot be decoded" in err_lines[note]
    assert "Try to get the file again" in err_lines[note + 1]  # the hint follows the note
    assert "missing.jpg" in r.err and "does not exist" in r.err

    # A URL list with one unreachable address.
    web.routes["/pic.png"] = Route(png(sample("rocket", 160)), content_type="image/png")
    r = cli("capture", case_id, web.url("/pic.png"), f"http://127.0.0.1:{closed_port()}/x")
    assert r.rc == 7
    assert "FAILED" in r.err and "could not be reached" in r.err and "Try again later" in r.err
    assert "Captured 1 of 2" in r.out

    # packet into a folder that is not empty: refused, the folder untouched.
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    r = cli("packet", case_id, "--out", str(used))
    assert r.rc == 1 and "not an empty folder" in r.err and "new folder" in r.err
    assert [p.name for p in used.iterdir()] == ["keep.txt"]

    # verify of a folder without a manifest.
    r = cli("verify", str(used), "--json")
    assert r.rc == 3 and r.json()["failures"][0]["file"] == "manifest.json"
    r = cli("verify", str(used))
    assert r.rc == 3 and "missing" in r.out and "Give the packet's folder" in r.out
