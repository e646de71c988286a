"""kill -9 a process doing what the desktop app does, at random moments; nothing acknowledged
is ever lost and the vault always comes back whole.

The child runs, over and over, the service calls the GUI makes: add files and hash them
(Originals / Suspects tabs), capture a page from a real 127.0.0.1 server (Capture), confirm
a match (Matches), draft removal letters and mark one sent (Removal requests). After each
call returns it prints an acknowledgement. After every kill the vault opens, `vault check`
is clean (database, every blob, audit chain against audit.head) and every acknowledged
result is there in the state acknowledged. Only generated, benign images are used.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import textwrap
from pathlib import Path

from capture_server import LocalServer, Route
from killkit import run_and_kill

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    Blob,
    Capture,
    EvidenceItem,
    HashRecord,
    Match,
    RemovalRequest,
    RequestStatus,
    ReviewState,
)

KILLS = 8

CHILD = textwrap.dedent(
    """
    import io, os, sys
    from datetime import UTC, datetime
    from pathlib import Path
    import numpy as np
    from PIL import Image
    from ncii_desk.capture.web import FetchOptions
    from ncii_desk.documents.letters import LetterForm, Sender
    from ncii_desk.services import capture, intake, matching, requests, vaults
    from ncii_desk.vault.models import Role

    vault = vaults.open_vault(Path(sys.argv[1]), passphrase=os.environ["CRASH_PASSPHRASE"])
    src, case_id, base = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    options = capture.CaptureOptions(
        fetch=FetchOptions(trust_env=False, allow_private_addresses=True)  # 127.0.0.1 server
    )
    form = LetterForm(
        sender=Sender(name="Ana Advocate", email="ana@clinic.example",
                      organisation="Harbor Legal Clinic", representative=True,
                      authority="Written authorisation from the person depicted."),
        signature="/s/ Ana Advocate", good_faith=True, covered_platform="yes",
    )
    print("ready", flush=True)

    def picture(seed):
        rng = np.random.default_rng(seed)
        small = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(small).resize((320, 240), Image.BICUBIC)).copy()
        for _ in range(5):
            y, x = rng.integers(0, 180), rng.integers(0, 260)
            img[y : y + 60, x : x + 60] = rng.integers(0, 256, 3)
        return Image.fromarray(img)

    n = 0
    while True:
        n += 1
        tag = f"{os.getpid()}-{n}"
        original = src / f"original-{tag}.png"
        picture(os.getpid() * 1000 + n).save(original)
        added = intake.add_items(vault, case_id, Role.ORIGINAL, [original])
        for v in added.added:
            print("ITEM", v.id, v.sha256, flush=True)
        report = matching.hash_items(vault, added.sources, workers=1)
        for item_id, _ in added.sources:
            print("HASHED", item_id, flush=True)
        out = io.BytesIO()
        picture(os.getpid() * 1000 + n).resize((240, 180)).save(out, "JPEG", quality=85)
        (src / f"copy-{tag}.jpg").write_bytes(out.getvalue())
        batch = capture.capture_urls(vault, case_id, [f"{base}/page/{tag}"], options=options)
        for r in batch.results:
            if r.capture_id:
                print("CAPTURE", r.capture_id, *r.item_ids, flush=True)
            for m in r.matches:
                view = matching.review_match(vault, m["match_id"], True, "same photo")
                print("CONFIRMED", view.id, flush=True)
        drafted = requests.draft_requests(vault, case_id, "takedown", form)
        for req in drafted.requests:
            print("DRAFT", req.id, flush=True)
        for req in drafted.requests[:1]:
            requests.mark_sent(vault, req.id)
            print("SENT", req.id, flush=True)
    """
)


def _serve_copies(server: LocalServer, src: Path) -> None:
    """/page/TAG shows /img/TAG.jpg, which is the copy the child wrote for that round."""

    def route(path: str) -> Route | None:
        if path.startswith("/page/"):
            tag = path.removeprefix("/page/")
            return Route(f'<html><body><img src="/img/{tag}.jpg"></body></html>'.encode())
        if path.startswith("/img/"):
            copy = src / f"copy-{path.removeprefix('/img/').removesuffix('.jpg')}.jpg"
            if copy.exists():
                return Route(copy.read_bytes(), content_type="image/jpeg")
        return None

    server.set_fallback(route)


def _run_and_kill(
    vault_dir: Path, src: Path, case_id: str, base: str, after: int, rng: random.Random
) -> list[list[str]]:
    """Run the child; kill it a random moment after its ``after``-th acknowledgement."""
    lines = run_and_kill(
        [sys.executable, "-c", CHILD, str(vault_dir), str(src), case_id, base],
        env=dict(os.environ, CRASH_PASSPHRASE=PASSPHRASE),
        rng=rng,
        delay=(0.0, 0.8),  # inside the next call, or between two
        wait_for=after + 1,  # "ready", then the acknowledgements
        timeout=300,
    )
    return [line.split() for line in lines if line and line != "ready"]


def test_gui_service_calls_survive_repeated_sigkill(
    vault_dir: Path, tmp_path: Path, web: LocalServer
) -> None:
    rng = random.Random(20261206)
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="crash-test")
    case_id = cases.new_case(vault, "crash case").id
    vault.close()
    src = tmp_path / "src"
    src.mkdir()
    _serve_copies(web, src)

    acked: dict[str, set[tuple[str, ...]]] = {}
    # Kill after 0..7 acknowledgements (one round's sequence has six), then a moment more:
    # every step is reached whatever the speed of the machine, and kills land inside calls.
    targets = list(range(KILLS))
    rng.shuffle(targets)
    for round_no in range(KILLS):
        got = _run_and_kill(vault_dir, src, case_id, web.url(""), targets[round_no], rng)
        for kind, *rest in got:
            acked.setdefault(kind, set()).add(tuple(rest))

        vault = Vault.open(vault_dir, passphrase=PASSPHRASE, actor="checker")
        try:
            report = vault.check()
            assert report.ok, f"round {round_no}: {report.as_dict()}"
            assert vault.report.missing_blobs == [] and vault.report.audit_problems == []
            assert vault.verify_audit().ok
            with vault.session() as s:
                for item_id, sha in acked.get("ITEM", set()):
                    item = s.get(EvidenceItem, item_id)
                    assert item is not None, f"round {round_no}: acknowledged item lost"
                    blob = s.get(Blob, item.blob_id)
                    assert blob is not None and item.sha256 == sha
                    assert hashlib.sha256(vault.read_blob(blob)).hexdigest() == sha
                for (item_id,) in acked.get("HASHED", set()):
                    assert s.query(HashRecord).filter(HashRecord.item_id == item_id).count()
                for capture_id, *item_ids in acked.get("CAPTURE", set()):
                    cap = s.get(Capture, capture_id)
                    assert cap is not None and cap.warc_blob_id is not None
                    assert s.get(Blob, cap.warc_blob_id) is not None
                    for item_id in item_ids:
                        assert s.get(EvidenceItem, item_id) is not None
                for (match_id,) in acked.get("CONFIRMED", set()):
                    match = s.get(Match, match_id)
                    assert match is not None and match.review_state == ReviewState.CONFIRMED
                for (request_id,) in acked.get("DRAFT", set()):
                    req = s.get(RemovalRequest, request_id)
                    assert req is not None and req.document_blob_id is not None
                    assert s.get(Blob, req.document_blob_id) is not None
                for (request_id,) in acked.get("SENT", set()):
                    req = s.get(RemovalRequest, request_id)
                    assert req is not None and req.status == RequestStatus.SENT
                    assert req.sent_at is not None and req.deadline_at is not None
        finally:
            vault.close()

    # The kills landed all along the sequence: every step was acknowledged at least once.
    assert {"ITEM", "HASHED", "CAPTURE", "CONFIRMED", "DRAFT", "SENT"} <= set(acked), acked.keys()
