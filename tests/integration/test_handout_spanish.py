"""The client hand-out in Spanish (``--language es``), from the same Qt Linguist catalogue
format the window uses; nothing of the English text is left."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdf
import pytest

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.cli.main import main
from ncii_desk.documents.handout import (
    Contacted,
    handout_docx,
    handout_letter,
    handout_pdf,
)
from ncii_desk.services import cases
from ncii_desk.vault import Vault

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
# English words that never appear in the Spanish hand-out (proper names aside).
ENGLISH = re.compile(r"\b(the|and|your|you|what|with|request|sent|removed|steps|has)\b", re.I)
NAMES = (
    "TAKE IT DOWN",
    "Take It Down",
    "Federal Trade Commission",
    "Cyber Civil Rights",
    "Initiative",
    "U.S. Copyright Office",
    "Harbor Legal Clinic",
    "Reddit",
)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def english_words(text: str) -> list[str]:
    for name in NAMES:
        text = text.replace(name, " ")
    text = re.sub(r"\S+\.(org|com|example)\S*", " ", text)
    return ENGLISH.findall(text)


@pytest.mark.parametrize("minor", [False, True])
def test_spanish_handout_has_no_english_left(minor: bool) -> None:
    contacted = [
        Contacted("Reddit", "takedown", T0, "sent"),
        Contacted("Reddit", "dmca", None, "draft"),
        Contacted("Reddit", "ncii-report", T0, "overdue"),
    ]
    clinic = {"name": "Harbor Legal Clinic", "email": "a@harbor.example", "phone": "555-0100"}
    letter = handout_letter(
        reference="Caso H",
        minor=minor,
        contacted=contacted,
        clinic=clinic,
        now=T0,
        language="es",
    )
    text = pdf_text(handout_pdf(letter))
    assert "Sus próximos pasos" in text and "Lo que se ha hecho hasta ahora" in text
    assert "Solicitud de retiro (Ley TAKE IT DOWN)" in text
    assert "enviada, esperando respuesta" in text and "Plataforma" in text
    assert "Información general, no asesoría legal." in text
    assert "48 horas" in text  # the Jinja placeholder survived translation
    assert ("Take It Down (takeitdown.ncmec.org)" in text) == minor
    assert ("Comisión Federal de Comercio" in text) == (not minor)
    assert english_words(text) == []
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(handout_docx(letter))).paragraphs)
    assert "Sus próximos pasos" in word and english_words(word) == []
    # English stays the default and unchanged.
    english = pdf_text(
        handout_pdf(
            handout_letter(
                reference="Caso H", minor=minor, contacted=contacted, clinic=clinic, now=T0
            )
        )
    )
    assert "Your next steps" in english and "Sus próximos pasos" not in english


def test_spanish_handout_without_requests() -> None:
    letter = handout_letter(
        reference="R", minor=False, contacted=[], clinic={}, now=T0, language="es"
    )
    assert "Todavía no se ha registrado ninguna solicitud." in pdf_text(handout_pdf(letter))


def test_cli_handout_in_spanish(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    cases.new_case(vault, "Case K")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "hoja.pdf"
    assert main(["handout", "Case K", "--out", str(out), "--language", "es"]) == 0
    text = pdf_text(out.read_bytes())
    assert "Sus próximos pasos" in text and english_words(text) == []
    with pytest.raises(SystemExit):
        main(["handout", "Case K", "--out", str(out), "--language", "de", "--overwrite"])
