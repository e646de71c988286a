"""The translation catalogues are complete: every string pyside6-lupdate finds in the window
and every hand-out string has a finished Spanish translation, nothing obsolete is kept, and
placeholders and mnemonics match; the compiled catalogue is made when missing or older."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ncii_desk import i18n
from ncii_desk.documents.catalogue import document_sources
from ncii_desk.i18n import (
    DOCUMENTS_DOMAIN,
    GUI_DOMAIN,
    SHIPPED,
    Entry,
    placeholders,
    read_ts,
    resolve,
    ts_path,
)

GUI = Path(i18n.__file__).resolve().parent.parent / "gui"


def problems(entries: list[Entry], mnemonics: bool) -> list[str]:
    out = []
    for e in entries:
        where = f"{e.context}: {e.source!r}"
        if e.state:
            out.append(f"{where} is {e.state}")
        elif not e.translation.strip():
            out.append(f"{where} has no translation")
        elif placeholders(e.source) != placeholders(e.translation):
            out.append(f"{where}: placeholders differ in {e.translation!r}")
        elif mnemonics and e.source.count("&") != e.translation.count("&"):
            out.append(f"{where}: mnemonic '&' differs in {e.translation!r}")
    return out


def test_problems_are_found() -> None:
    bad = [
        Entry("C", "{n} files", "{m} archivos", ""),
        Entry("C", "Open", "", "unfinished"),
        Entry("C", "Gone", "Ido", "vanished"),
        Entry("C", "&Help", "Ayuda", ""),
    ]
    assert len(problems(bad, mnemonics=True)) == 4
    assert problems([Entry("C", "{n} files", "{n} archivos", "")], mnemonics=True) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_window_catalogue_is_complete(language: str, tmp_path: Path) -> None:
    """lupdate over today's source into a copy of the catalogue: nothing new appears, nothing
    is obsolete and every entry is finished."""
    shipped = ts_path(GUI_DOMAIN, language)
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    sources = sorted(str(p) for p in GUI.rglob("*.py"))
    run = subprocess.run(
        [str(lupdate), "-locations", "none", *sources, "-ts", str(copy)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "0 new" in run.stdout, run.stdout
    entries = read_ts(copy)
    assert len(entries) > 800
    assert problems(entries, mnemonics=True) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_documents_catalogue_is_complete(language: str) -> None:
    entries = read_ts(ts_path(DOCUMENTS_DOMAIN, language))
    assert [(e.context, e.source) for e in entries] == list(dict.fromkeys(document_sources()))
    assert problems(entries, mnemonics=False) == []


def test_language_choice() -> None:
    assert resolve("system", "es_MX") == "es"
    assert resolve("system", "de_DE") == "en"
    assert resolve("en", "es_ES") == "en"
    assert resolve("es", "de_DE") == "es"


def test_compiled_catalogue_is_made_when_missing_or_older(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install needs no build step; a read-only package folder compiles into
    the per-user cache instead."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    shutil.copy(ts_path(GUI_DOMAIN, "es"), folder)
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", folder)
    qm = i18n.compiled_qm("es")
    assert qm == folder / "ncii_desk_es.qm" and qm.stat().st_size > 10_000
    os.utime(qm, (1, 1))  # older than the .ts: compiled again
    assert i18n.compiled_qm("es") == qm and qm.stat().st_mtime > 1
    qm.unlink()
    qm.mkdir()  # the package folder's .qm cannot be written (here: a folder stands there)
    cached = i18n.compiled_qm("es")
    assert cached is not None and cached.parent != folder and cached.stat().st_size > 10_000
    assert i18n.compiled_qm("en") is None
