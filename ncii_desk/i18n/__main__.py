"""Maintaining the catalogues (for developers; the app itself never runs this).

``python -m ncii_desk.i18n update``   refresh ncii_desk_<lang>.ts from the window's source
                                      (pyside6-lupdate, obsolete entries dropped) and
                                      documents_<lang>.ts from ``document_sources()``, and
                                      services_<lang>.ts from ``service_sources()``
``python -m ncii_desk.i18n release``  compile the window's .qm files (pyside6-lrelease)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ncii_desk.i18n import (
    CATALOGUE_DIR,
    DOCUMENTS_DOMAIN,
    GUI_DOMAIN,
    SERVICES_DOMAIN,
    SHIPPED,
    compiled_qm,
    ts_path,
    write_ts,
)


def _lupdate() -> str:
    return str(Path(sys.executable).parent / "pyside6-lupdate")


def update() -> None:
    gui = CATALOGUE_DIR.parent / "gui"
    sources = sorted(str(p) for p in gui.rglob("*.py"))
    for language in SHIPPED:
        subprocess.run(
            [
                _lupdate(),
                "-no-obsolete",
                "-locations",
                "relative",
                "-source-language",
                "en",
                "-target-language",
                language,
                *sources,
                "-ts",
                str(ts_path(GUI_DOMAIN, language)),
            ],
            check=True,
        )
        from ncii_desk.documents.catalogue import document_sources

        write_ts(ts_path(DOCUMENTS_DOMAIN, language), language, document_sources())
        from ncii_desk.i18n.sources import service_sources

        write_ts(ts_path(SERVICES_DOMAIN, language), language, service_sources())


def release() -> None:
    for language in SHIPPED:
        sys.stdout.write(f"{compiled_qm(language)}\n")


if __name__ == "__main__":
    {"update": update, "release": release}[sys.argv[1] if len(sys.argv) > 1 else "update"]()
