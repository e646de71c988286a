"""Sentences that services and the vault keep in their results (not raised errors) are in
the services catalogue and are said in Spanish with their values in place: what opening the
vault repaired, a reference photo's faces, the under-18 switch's result, an invalid stored
threshold with its range and the default used, the {what} of a refused web address, and a
picture read from memory ("the file"). The catalogue scan finds each new kind of text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ncii_desk.i18n import said
from ncii_desk.i18n import sources as found
from ncii_desk.vault.vault import HEADER_BAK_NAME, HEADER_NAME, HeaderRepair, OpenReport

# Words that show English was left (none is a Spanish word).
_WORDS = """the and with this your you from which when what has have been will can there their
into only after before file files case picture pictures vault was were of to is not are
found default used number whole stored"""
ENGLISH = frozenset(_WORDS.split())


def english_words(text: str) -> set[str]:
    text = re.sub(r"'ncii-desk [^']*'", " ", text)  # a command to type stays as it is
    for name in (HEADER_NAME, HEADER_BAK_NAME, "audit.head"):
        text = text.replace(name, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)} & ENGLISH


def test_the_scan_finds_result_sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``warnings`` property's list, a result's message (also in a tuple assignment), a
    function returning a list of notes or a tuple with a word, the words a module function
    fills in, the template of a joined list, a report's notes and a packet check's finding
    are all listed."""
    package = tmp_path / "ncii_desk"
    (package / "services").mkdir(parents=True)
    (package / "errors.py").write_text(found.ERRORS_MODULE.read_text(encoding="utf-8"))
    (package / "services" / "new.py").write_text(
        "from ncii_desk.errors import InputFileError\n"
        'WHAT = "address of the page"\n'
        "class Report:\n"
        "    @property\n"
        "    def warnings(self):\n"
        "        out = []\n"
        '        out.append(f"{len(self.files)} files were made private.")\n'
        "        return out\n"
        "def _range(low, high):\n"
        '    return f"a number from {low} to {high}"\n'
        "def note(name):\n"
        "    warnings = []\n"
        '    warnings.append(f"The value {name} must be {_range(1, 2)}.")\n'
        "    return warnings\n"
        "def photo(faces, result):\n"
        '    status, message = "none", "No face was seen here."\n'
        '    result.message = f"{faces} faces were seen in the photo."\n'
        "def left(blobs):\n"
        '    return [f"{len(blobs)} stored files are still there."]\n'
        "def source(data):\n"
        '    return data, "the picture", 3\n'
        "def check(report, name, exc):\n"
        '    report.fail(name, f"cannot be opened as a packet ({exc})")\n'
        '    report.notes.append("Only the copy was checked.")\n'
        '    return [{"seq": 1, "problem": f"event {name} was moved away"}]\n'
        "class Covered(InputFileError):\n"
        "    def __init__(self, covered):\n"
        '        named = "; ".join(f"{w} was asked in request {r}" for w, r in covered)\n'
        '        super().__init__(f"Nothing new: {named}.")\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(found, "PACKAGE", package)
    monkeypatch.setattr(found, "ERRORS_MODULE", package / "errors.py")
    monkeypatch.setattr(found, "ERROR_FOLDERS", ("services",))
    monkeypatch.setattr(found, "PHRASE_MODULES", ())
    monkeypatch.setattr(found, "DATA_PARTS", (("services/new.py", "WHAT", None),))
    monkeypatch.setattr(
        found,
        "SHOWN_VALUES",
        (
            ("services/new.py", "message"),
            ("services/new.py", "left"),
            ("services/new.py", "source"),
        ),
    )
    monkeypatch.setattr(found, "SHOWN_CALLS", (("services/new.py", "fail", 1),))
    monkeypatch.setattr(found, "SHOWN_KEYS", (("services/new.py", "problem"),))
    found._scan.cache_clear()
    found._error_classes.cache_clear()
    try:
        texts = [t for c, t in found.service_sources() if c == "services.new"]
        assert texts == [
            "Nothing new: {named}.",
            "{w} was asked in request {r}",
            "{files_count} files were made private.",
            "The value {name} must be {_range}.",
            "a number from {low} to {high}",
            "Only the copy was checked.",
            "address of the page",
            "No face was seen here.",
            "{faces} faces were seen in the photo.",
            "{blobs_count} stored files are still there.",
            "the picture",
            "cannot be opened as a packet ({exc})",
            "event {name} was moved away",
        ]
        assert found.unresolved() == []
    finally:
        found._scan.cache_clear()
        found._error_classes.cache_clear()


def test_what_opening_the_vault_repaired_is_said_in_spanish() -> None:
    report = OpenReport(
        header_repairs=[
            HeaderRepair(
                HEADER_NAME,
                None,
                "The vault header is damaged (its checksum does not match).",
                "restored from backup",
            ),
            HeaderRepair(
                HEADER_BAK_NAME,
                None,
                "The vault header is damaged (its checksum does not match).",
                f"rewritten from {HEADER_NAME}",
            ),
        ],
        quarantined=["a.tmp"],
        missing_blobs=["b1", "b2"],
        dropped_deleted=["c"],
        audit_head_advanced_by=2,
        permissions_tightened=[".", "vault.hdr"],
        audit_problems=[
            {"seq": 4, "problem": "event 4 is missing"},
            {"seq": None, "problem": "event 9 differs from the one audit.head records"},
        ],
    )
    spanish = [said(w, "es") for w in report.warnings]
    assert len(spanish) == 9
    assert spanish[-2:] == [
        "Problema en el registro de auditoría: falta el evento 4.",
        "Problema en el registro de auditoría: el evento 9 no coincide con el que registra "
        "audit.head.",
    ]
    assert spanish[0] == (
        "Otras personas usuarias de esta computadora podían leer 2 archivo(s) o carpeta(s) "
        "de la bóveda; ahora solo usted puede leerlos."
    )
    # The damage, put in without its full stop, is said in Spanish too.
    assert spanish[1] == (
        "El encabezado principal de la bóveda estaba dañado y se restauró desde su copia de "
        "seguridad (El encabezado de la bóveda está dañado (su suma de control no coincide))."
    )
    assert [w for w in spanish if english_words(w)] == []
    # The English window keeps the vault's own words.
    assert [said(w, "en") for w in report.warnings] == report.warnings


def test_a_refused_stored_threshold_is_said_with_its_range_and_default() -> None:
    from ncii_desk.services.settings import Thresholds

    bad = Thresholds.from_json({"pdq_distance": 999})
    assert said(bad.warnings[0], "es").startswith(
        "El umbral guardado 'pdq_distance' (999) no es válido (debe ser un número entero de "
        "0 a 80); se usó el valor predeterminado 31. "
    )
    # Nothing filled in for the default (a value that is not a set of values at all).
    shapeless = Thresholds.from_json(5)
    assert said(shapeless.warnings[0], "es").startswith(
        "El umbral guardado 'thresholds' (5) no es válido (debe ser un conjunto de valores). "
    )
    assert [w for w in bad.warnings + shapeless.warnings if english_words(said(w, "es"))] == []


def test_the_address_named_in_a_refusal_is_said_in_spanish() -> None:
    from ncii_desk.services.found_at import PAGE_WHAT, BadAddress, check_address

    with pytest.raises(BadAddress) as empty:
        check_address("  ")
    assert said(empty.value.message, "es") == "La dirección propia del archivo está vacía."
    with pytest.raises(BadAddress) as loose:
        check_address("www.example.org/a", PAGE_WHAT)
    assert said(loose.value.message, "es").startswith(
        "La dirección de la página donde estaba 'www.example.org/a' no es una dirección web"
    )


def test_result_sentences_of_faces_minor_and_the_loader_are_in_spanish() -> None:
    cases = {
        "No face was found in this photo.": "No se encontró ninguna cara en esta foto.",
        "3 faces were found; picked: face 1, 3.": "Se encontraron 3 caras; elegida: cara 1, 3.",
        "Only photos can hold reference faces.": "Solo las fotos pueden tener caras de referencia.",
        "1 stored file(s) could not be deleted yet; they are deleted the next time the vault "
        "is opened.": "1 archivo(s) guardado(s) no se pudieron borrar todavía; se borrarán la "
        "próxima vez que se abra la bóveda.",
        "the file declares 20000x20000 pixels (400 million), above the 150 million limit; it "
        "may be a decompression bomb.": "el archivo declara 20000x20000 píxeles (400 millones), "
        "más que el límite de 150 millones; puede ser una bomba de descompresión.",
    }
    assert {english: said(english, "es") for english in cases} == cases
    off = (
        "The case is no longer marked as possibly showing a person under 18; files added from "
        "now on are kept in the vault. Nothing is restored: 2 item(s) recorded as hashes only "
        "stay that way."
    )
    assert said(off, "es").startswith("El caso ya no está marcado como que posiblemente")
    assert not english_words(said(off, "es"))
