"""A clinic's first day, end to end, from the documented commands only.

An administrator sets up a clinic server, two colleagues join (an advocate and a supervising
attorney) and are admitted by fingerprint, the administrator and the advocate add files to
one case at the same moment from two processes, a letter is drafted, signed off by the
attorney and sent, and the case is handed over to a lawyer who imports it into a laptop
vault. Every step is a separate ``ncii-desk`` process with its own home and config folders,
as on separate computers, talking to a real PostgreSQL server; passphrases come from
NCII_DESK_PASSPHRASE as docs/cli.md documents. The steps are the ones docs/clinic.md lists
under "A clinic's first day". Nothing here reads the database directly: the test checks
what each person can see with the commands they have.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ncii_desk.cli.main import build_parser

#: Generous: the machine running the tests may be very busy; nothing here measures time.
TIMEOUT_S = 600
CLINIC_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "clinic.md"


@dataclass(frozen=True)
class Run:
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Computer:
    """One person's computer: its own home, data, config and temporary folders, and the
    person's passphrase in NCII_DESK_PASSPHRASE (nothing else of the test's environment
    that NCII Desk reads)."""

    def __init__(self, root: Path, passphrase: str) -> None:
        self.root = root
        self.passphrase = passphrase
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NCII_DESK_")}
        for var, sub in (
            ("HOME", "home"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
            ("TMPDIR", "tmp"),
        ):
            (root / sub).mkdir(parents=True)
            self.env[var] = str(root / sub)
        self.env["NCII_DESK_PASSPHRASE"] = passphrase

    def start(self, *argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "ncii_desk", *argv],
            env=self.env,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *argv: str) -> Run:
        return finish(self.start(*argv))


def finish(proc: subprocess.Popen[str]) -> Run:
    out, err = proc.communicate(timeout=TIMEOUT_S)
    return Run(proc.returncode, out, err)


def ok(run: Run) -> Run:
    assert run.rc == 0, f"exit code {run.rc}\nstdout: {run.out[-3000:]}\nstderr: {run.err[-3000:]}"
    return run


def _picture(path: Path, seed: int) -> Path:
    """A benign generated picture: smooth colour blocks (perceptual hashes find its copies)."""
    rng = np.random.default_rng(seed)
    blocks = Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8))
    blocks.resize((160, 120), Image.Resampling.BILINEAR).save(path)
    return path


def _copy_as_jpeg(source: Path, path: Path) -> Path:
    """A re-encoded, resized copy of ``source``, as found online."""
    with Image.open(source) as img:
        img.convert("RGB").resize((200, 150)).save(path, quality=90)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow  # a few minutes on a busy machine: about 50 processes, each unlocking
def test_a_clinics_first_day_from_the_command_line(pg_server: Any, tmp_path: Path) -> None:
    # The documented address form (docs/clinic.md): postgresql://USER@HOST:PORT/DATABASE.
    db = pg_server.create_database("clinicday").replace("postgresql+psycopg://", "postgresql://")
    ada = Computer(tmp_path / "ada", "ada's member passphrase, long enough")  # administrator
    bea = Computer(tmp_path / "bea", "bea's member passphrase, long enough")  # advocate
    cal = Computer(tmp_path / "cal", "cal's member passphrase, long enough")  # attorney
    lee = Computer(tmp_path / "lee", "lee's laptop vault passphrase, long")  # pro bono lawyer
    blobs = tmp_path / "share" / "eastside"

    # 1. The administrator creates the clinic and becomes its first member.
    made = ok(
        ada.run(
            "clinic-server", "init", "--db", db, "--blobs", str(blobs),
            "--name", "Eastside Legal Clinic", "--member-name", "Ada Admin", "--json",
        )
    ).json()  # fmt: skip
    ada_id = made["member_id"]
    info = ok(ada.run("clinic-server", "info", "--db", db, "--json")).json()
    assert info["name"] == "Eastside Legal Clinic"

    # 2. Two colleagues ask to join, each on their own computer.
    bea_join = ok(bea.run("clinic", "join", "--db", db, "--name", "Bea Advocate", "--json"))
    cal_join = ok(cal.run("clinic", "join", "--db", db, "--name", "Cal Attorney", "--json"))
    bea_id, bea_fp = bea_join.json()["member_id"], bea_join.json()["fingerprint"]
    cal_id, cal_fp = cal_join.json()["member_id"], cal_join.json()["fingerprint"]
    waiting = bea.run("--vault", db, "--member", bea_id, "case", "list")
    assert waiting.rc == 5 and "clinic admit" in waiting.err, waiting

    # 3. The administrator admits them by the fingerprints read out on the phone. A wrong
    #    fingerprint is refused and admits nobody.
    as_ada = ("--vault", db)
    wrong = ada.run(*as_ada, "clinic", "admit", bea_id, "--fingerprint", cal_fp)
    assert wrong.rc == 3 and "does not match" in wrong.err, wrong
    status = {
        m["member_id"]: m["status"]
        for m in ok(ada.run(*as_ada, "clinic", "members", "--json")).json()
    }
    assert status == {ada_id: "admitted", bea_id: "pending", cal_id: "pending"}
    ok(ada.run(*as_ada, "clinic", "admit", bea_id, "--fingerprint", bea_fp))
    # Read out in groups, in lower case, with spaces: the comparison ignores all of that.
    spoken = cal_fp.lower().replace("-", " ")
    ok(ada.run(*as_ada, "clinic", "admit", cal_id[:8], "--fingerprint", spoken))
    members = ok(ada.run(*as_ada, "clinic", "members", "--json")).json()
    assert {(m["name"], m["status"]) for m in members} == {
        ("Ada Admin", "admitted"),
        ("Bea Advocate", "admitted"),
        ("Cal Attorney", "admitted"),
    }

    # 4. A case, with Bea as advocate and Cal as its supervising attorney.
    case_id = ok(
        ada.run(*as_ada, "case", "new", "Case 2026-101", "--pseudonym", "R.M.", "--json")
    ).json()["id"]
    ok(ada.run(*as_ada, "case", "add-member", case_id, bea_id, "--role", "advocate"))
    ok(ada.run(*as_ada, "case", "add-member", case_id, cal_id, "--role", "supervising_attorney"))
    roles = {
        m["member_id"]: (m["role"], m["fingerprint"])
        for m in ok(
            bea.run("--vault", db, "--member", bea_id, "case", "members", case_id, "--json")
        ).json()
    }
    assert roles == {
        ada_id: ("advocate", made["fingerprint"]),
        bea_id: ("advocate", bea_fp),
        cal_id: ("supervising_attorney", cal_fp),
    }

    # 5. Ada adds the client's originals while Bea adds copies found online, at the same
    #    time, from two processes. Both computers now remember who their member is.
    pics = tmp_path / "pictures"
    pics.mkdir()
    originals = [_picture(pics / f"original-{i}.png", 100 + i) for i in range(3)]
    found = [
        _copy_as_jpeg(originals[0], pics / "found-0.jpg"),
        _copy_as_jpeg(originals[1], pics / "found-1.jpg"),
        _picture(pics / "found-2.png", 200),
    ]
    sources = pics / "sources.csv"
    sources.write_text(
        "path,source_url,page_url\n"
        + "".join(
            f"{p},https://img.example.net/{p.name},https://forum.example.net/t/42\n" for p in found
        ),
        encoding="utf-8",
    )
    both = [
        ada.start(*as_ada, "add", "original", case_id, *map(str, originals)),
        bea.start(
            "--vault", db, "add", "suspect", case_id, *map(str, found), "--sources", str(sources)
        ),
    ]  # fmt: skip
    for proc in both:
        ok(finish(proc))
    # Each suspect is compared with the originals the other process added meanwhile.
    ok(bea.run("--vault", db, "matches", case_id, "--rematch"))

    # 6. Every file is in the case once, and each side sees the other's items.
    by_sha = {_sha256(p): p for p in [*originals, *found]}
    seen: dict[str, list[dict[str, Any]]] = {}
    for who, computer, member in (("ada", ada, ada_id), ("bea", bea, bea_id), ("cal", cal, cal_id)):
        items = ok(
            computer.run("--vault", db, "--member", member, "item", "list", case_id, "--json")
        ).json()
        assert sorted(i["sha256"] for i in items) == sorted(by_sha), who
        seen[who] = items
    by_operator = {i["sha256"]: i["operator"] for i in seen["ada"]}
    assert {by_operator[_sha256(p)] for p in originals} == {ada_id}
    assert {by_operator[_sha256(p)] for p in found} == {bea_id}
    item_of = {i["sha256"]: i["id"] for i in seen["ada"]}
    matched = {
        (m["suspect_item_id"], m["target_item_id"])
        for m in ok(ada.run(*as_ada, "matches", case_id, "--json")).json()
    }
    for copy, original in ((found[0], originals[0]), (found[1], originals[1])):
        assert (item_of[_sha256(copy)], item_of[_sha256(original)]) in matched
    assert not any(s == item_of[_sha256(found[2])] for s, _t in matched)

    # 7. The audit chain and every stored file verify, for each member and for the
    #    administrator's key-less check of the blob folder.
    for computer in (ada, bea):
        verified = ok(computer.run("--vault", db, "audit", "verify", "--json")).json()
        assert verified["ok"] and verified["problems"] == []
    checked = ok(bea.run("--vault", db, "vault", "check", "--json")).json()
    assert checked["ok"], checked
    server = ok(ada.run("clinic-server", "check", "--db", db, "--hashes", "--json")).json()
    assert server["ok"] and server["missing"] == [] and server["damaged"] == [], server

    # 8. Bea drafts the takedown letter; it cannot go out before Cal signs it off.
    letter_options = (
        "--signer", "Bea Advocate", "--organisation", "Eastside Legal Clinic",
        "--authority", "written authorisation from the person depicted",
        "--email", "intake@eastside.example", "--sign", "--good-faith",
        "--covered-platform", "yes",
    )  # fmt: skip
    drafted = ok(
        bea.run(
            "--vault", db, "requests", "draft", case_id, "--route", "takedown",
            *letter_options, "--json",
        )
    ).json()  # fmt: skip
    [request] = drafted["requests"]
    assert set(request["item_ids"]) == {item_of[_sha256(found[0])], item_of[_sha256(found[1])]}
    early = bea.run("--vault", db, "requests", "sent", request["id"])
    assert early.rc == 1 and "signed off" in early.err, early
    by_advocate = bea.run("--vault", db, "requests", "sign-off", request["id"])
    assert by_advocate.rc == 1 and "supervising attorney" in by_advocate.err, by_advocate
    ok(cal.run("--vault", db, "requests", "sign-off", request["id"]))
    ok(bea.run("--vault", db, "requests", "sent", request["id"]))
    shown = ok(ada.run(*as_ada, "requests", "show", request["id"], "--json")).json()
    assert shown["status"] == "sent" and shown["sent_at"] and shown["deadline_at"]
    assert [(s["member_id"], s["verdict"]) for s in shown["sign_offs"]] == [(cal_id, "valid")]

    # 9. The lawyer makes a laptop vault and sends Ada its public key; they compare
    #    fingerprints by phone. A fingerprint that differs stops the export.
    ok(lee.run("vault", "init"))
    pub = tmp_path / "lee.pub"
    lee_key = ok(lee.run("vault", "pubkey", "--out", str(pub), "--json")).json()
    out = tmp_path / "outbox" / "case-2026-101.ncii"
    out.parent.mkdir()
    export = ("case", "export", case_id, "--to", str(pub), "--out", str(out))
    refused = ada.run(*as_ada, *export, "--fingerprint", made["fingerprint"])
    assert refused.rc == 1 and "not the one you gave" in refused.err, refused
    assert not out.exists() and list(out.parent.iterdir()) == []
    exported = ok(ada.run(*as_ada, *export, "--fingerprint", lee_key["fingerprint"], "--json"))
    assert exported.json()["blobs"] >= 6
    assert exported.json()["file_sha256"] == _sha256(out)
    sender_fp = ok(ada.run(*as_ada, "vault", "pubkey", "--json")).json()["signing_fingerprint"]

    # 10. A copy changed on the way is refused, and nothing of it is imported.
    tampered = tmp_path / "tampered.ncii"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    bad = lee.run("case", "import", str(tampered), "--fingerprint", sender_fp)
    assert bad.rc == 3 and "nothing was imported" in bad.err, bad
    assert ok(lee.run("case", "list", "--json")).json() == []

    # 11. The lawyer imports the real file: the same files, byte for byte, and the clinic's
    #     history of the case.
    imported = ok(lee.run("case", "import", str(out), "--fingerprint", sender_fp, "--json")).json()
    assert imported["imported_case_id"] == case_id and imported["imported_label"] == "Case 2026-101"
    lee_items = ok(lee.run("item", "list", case_id, "--json")).json()
    assert sorted(i["sha256"] for i in lee_items) == sorted(by_sha)
    copies = tmp_path / "lee-exports"
    copies.mkdir()
    for item in lee_items:
        written = ok(lee.run("item", "export", item["id"], "--out", str(copies), "--json"))
        assert _sha256(Path(written.json()["exported"])) == item["sha256"]
    assert sorted(_sha256(p) for p in copies.iterdir()) == sorted(by_sha)
    assert ok(lee.run("audit", "verify", "--json")).json()["ok"]

    history = ok(lee.run("case", "history", case_id, "--json")).json()
    clinic_log = {
        e["seq"]: e
        for e in ok(ada.run(*as_ada, "audit", "log", "--limit", "100000", "--json")).json()
    }
    for event in history:
        assert event["sender_fingerprint"] == sender_fp
        original = clinic_log[event["seq"]]
        for field in ("at", "actor", "action", "object_id", "details"):
            assert event[field] == original[field], (field, event, original)
    happened = {(e["action"], e["object_id"], e["actor"]) for e in history}
    assert ("case.created", case_id, ada_id) in happened
    assert sum(e["action"] == "case.membership" for e in history) == 3
    assert {(e["object_id"], e["actor"]) for e in history if e["action"] == "item.added"} == {
        (i["id"], i["operator"]) for i in seen["ada"]
    }
    assert ("letter.signed_off", request["id"], cal_id) in happened
    assert ("request.sent", request["id"], bea_id) in happened
    assert not {"case.exported", "vault.unlocked"} & {e["action"] for e in history}


def guide_commands() -> list[str]:
    """Every ``ncii-desk`` command line in the shell blocks of docs/clinic.md, joined across
    backslash line ends, without trailing comments; optional parts in a synopsis
    (``[--sweep]``) count as given."""
    text = CLINIC_GUIDE.read_text("utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S)
    lines = re.sub(r"\\\n\s*", " ", "\n".join(blocks)).splitlines()
    return [
        re.sub(r"\s+#.*$", "", line).replace("[", "").replace("]", "").strip()
        for line in lines
        if line.startswith("ncii-desk ")
    ]


def test_every_command_in_the_clinic_guide_is_accepted_as_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each command line of the guide parses with the real command-line parser (right
    command names, every required option there, no option that does not exist), and the
    walkthrough names every step of the day above."""
    commands = guide_commands()
    refused = []
    for line in commands:
        try:
            build_parser().parse_args(shlex.split(line)[1:])
        except SystemExit:
            refused.append((line, capsys.readouterr().err.strip().splitlines()[-1:]))
    assert refused == []
    walkthrough = CLINIC_GUIDE.read_text("utf-8").split("## A clinic's first day", 1)[1]
    for step in (
        "clinic-server init", "clinic join", "clinic admit", "case add-member",
        "add original", "add suspect", "matches CASE --rematch", "audit verify",
        "clinic-server check", "requests sign-off", "requests sent", "vault pubkey",
        "case export", "case import", "case history",
    ):  # fmt: skip
        assert f" {step}" in walkthrough, step
    assert len(commands) >= 30
