"""The activity log in plain words: every event kind the code base writes has its own
sentence, a case's events are selected in SQL, and the advocate's name is the one given."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import event

import ncii_desk
from conftest import PASSPHRASE
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import activity, settings, vaults
from ncii_desk.services.activity import Names, case_activity, sentence
from ncii_desk.services.cases import new_case
from ncii_desk.services.intake import add_items
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore

PACKAGE = Path(ncii_desk.__file__).parent
HEX_ID = re.compile(r"\b[0-9a-f]{12,}\b")


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level NAME = "text" assignments across the package."""
    out: dict[str, str] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    for t in targets:
                        if isinstance(t, ast.Name):
                            out[t.id] = value.value
    return out


def _strings(node: ast.AST, names: dict[str, str]) -> tuple[set[str], list[ast.JoinedStr]]:
    """The literal actions an expression can give (constants, named constants, both sides
    of a conditional) and the f-strings it builds actions with."""
    found: set[str] = set()
    dynamic: list[ast.JoinedStr] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            dynamic.append(sub)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if not any(sub in ast.walk(j) for j in dynamic):
                found.add(sub.value)
        elif isinstance(sub, ast.Name) and sub.id in names:
            found.add(names[sub.id])
        elif isinstance(sub, ast.Attribute) and sub.attr in names:
            found.add(names[sub.attr])
    return found, dynamic


def event_kinds_in_code() -> tuple[set[str], list[str]]:
    """Every action passed to ``vault.audit`` (or the settings ``_store`` and the
    ``export_blob`` event tuple) in the package, and the f-string call sites as
    'file:line'."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}
    names = _constants(trees)
    kinds: set[str] = {"setting.changed"}  # _store's default action
    dynamic_sites: list[str] = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            expr: ast.AST | None = None
            if fname == "audit" and len(node.args) >= 2:
                expr = node.args[1]
            elif fname in ("audit", "append_event", "_store"):
                expr = next((k.value for k in node.keywords if k.arg == "action"), None)
            elif fname == "export_blob" and len(node.args) >= 5:
                tup = node.args[4]
                expr = tup.elts[0] if isinstance(tup, ast.Tuple) else None
            if expr is None:
                continue
            found, dynamic = _strings(expr, names)
            kinds |= {k for k in found if "." in k}
            if dynamic:
                dynamic_sites.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return kinds, dynamic_sites


def request_actions_in_code() -> set[str]:
    """The request actions built as f"request.{action}": the constant actions handed to
    ``_change``/``_change_in_session``, the letters made (f"{kind}_made") and the
    content events of a recheck."""
    from ncii_desk.services import requests

    package = Path(requests.__file__).parent  # the tracker is a package of modules
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(package.glob("*.py"))]
    out = {f"request.{e}" for e in requests.CONTENT_EVENTS}
    for node in (n for tree in trees for n in ast.walk(tree)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_change", "_change_in_session")
            and len(node.args) >= 3
        ):
            arg = node.args[2]
            if isinstance(arg, ast.Constant):
                out.add(f"request.{arg.value}")
            else:  # f"{kind}_made" for the two letters make_letter makes
                out |= {"request.followup_made", "request.escalation_made"}
    return out


def test_every_event_kind_in_the_code_base_has_its_own_sentence() -> None:
    kinds, dynamic_sites = event_kinds_in_code()
    # Only the request tracker builds actions from parts; a new such place must be added
    # to request_actions_in_code (or given literal actions).
    # (file names only: line numbers move with every edit of the tracker)
    sites = [site.split(":")[0] for site in dynamic_sites]
    assert len(sites) == 2 and all(f.startswith("services/requests/") for f in sites), sites
    kinds |= request_actions_in_code()
    assert len(kinds) >= 50
    missing = sorted(kinds - set(activity.SENTENCES))
    assert missing == []
    names = Names(
        items={"i" * 32: "beach.jpg", "j" * 32: "original.png"},
        requests={"r" * 32: "Example Social"},
        captures={"c" * 32: "https://example.org/page"},
        matches={"m" * 32: ("beach.jpg", "original.png")},
        cases={"k" * 32: "Case 14"},
    )
    details: dict[str, Any] = {"item": "i" * 32, "seconds": 15, "status": "removed"}
    seen: dict[str, str] = {}
    for kind in sorted(kinds):
        oid = {"item": "i", "case": "k", "match": "m", "request": "r", "capture": "c"}.get(
            kind.split(".")[0], "x"
        ) * 32
        text = sentence(kind, "Sam", oid, details, names)
        assert kind not in text and "_" not in text and "{" not in text, (kind, text)
        assert not HEX_ID.search(text), (kind, text)
        assert text.endswith(".") and text[0].isupper(), (kind, text)
        assert text not in seen.values(), (kind, text, seen)  # one sentence per kind
        seen[kind] = text
    assert seen["item.reveal"] == "Sam revealed beach.jpg for 15 s."
    assert seen["request.status"] == (
        "Sam recorded that Example Social removed the removal request."
    )
    # An unknown kind still reads as words, never as raw JSON.
    assert sentence("thing.done_twice", "Sam", "", {}, Names()) == "Sam: thing done twice"


def _picture(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    return path


def test_case_activity_names_people_and_files_and_reads_only_that_case(
    store: CaseStore, tmp_path: Path
) -> None:
    settings.set_operator_name(store, "  Sam   Rivera ")
    assert settings.operator_name(store) == "Sam Rivera"
    mine = new_case(store, "Case 14")
    other = new_case(store, "Case 15")
    added = add_items(store, mine.id, Role.SUSPECT, [_picture(tmp_path / "beach.jpg", 1)])
    add_items(store, other.id, Role.SUSPECT, [_picture(tmp_path / "other.jpg", 2)])
    item_id = added.added[0].id
    with store.transaction() as s:  # what the reveal window records before showing
        store.audit(s, "item.reveal", item_id, {"case_id": mine.id, "seconds": 15, "view": "x"})

    statements: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        lines = case_activity(store, mine.id)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    reads = [q for q in statements if "FROM audit_events" in q]
    assert reads and all("WHERE" in q and "LIMIT" in q for q in reads)

    texts = [line.sentence for line in lines]
    assert texts[0] == "Sam Rivera revealed beach.jpg for 15 s."
    assert "Sam Rivera added beach.jpg." in texts
    assert "Sam Rivera opened the case Case 14." in texts
    assert not any("other.jpg" in t or "Case 15" in t for t in texts)
    assert all(line.who == "Sam Rivera" for line in lines)
    for line in lines:
        assert not HEX_ID.search(line.sentence + line.details)
        assert "{" not in line.sentence + line.details
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", line.when)


def test_the_name_given_at_first_run_is_used_after_unlocking_again(
    new_vault: tuple[Vault, str], vault_dir: Path
) -> None:
    vault, _key = new_vault
    settings.set_operator_name(vault, "Sam")
    vault.close()
    again = vaults.open_vault(vault_dir, passphrase=PASSPHRASE)
    try:
        assert again.actor == "Sam"
        mine = new_case(again, "Case 16")
        assert [line.sentence for line in case_activity(again, mine.id)] == [
            "Sam opened the case Case 16."
        ]
    finally:
        again.close()
    # A name given on the command line (--operator) still wins for that session.
    third = vaults.open_vault(vault_dir, passphrase=PASSPHRASE, operator="Kim")
    try:
        assert third.actor == "Kim"
    finally:
        third.close()


def test_a_blank_or_overlong_name_is_refused() -> None:
    with pytest.raises(InvalidSetting, match="empty"):
        settings.check_operator_name("   ")
    with pytest.raises(InvalidSetting, match="longer"):
        settings.check_operator_name("x" * 81)
    assert vaults.default_operator()  # the login name stays the fallback
