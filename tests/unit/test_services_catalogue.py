"""The services catalogue (ncii_desk/i18n/services_<lang>.ts) is complete and is used: every
activity sentence and every error message and hint found in services/, vault/ and media/
has a finished translation with the same placeholders; a new error text in the code is
found (so the completeness check fails until it is translated); a filled-in English
sentence is said in Spanish with its values in place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ncii_desk import errors, i18n
from ncii_desk.i18n import SERVICES_DOMAIN, SHIPPED, Phrase, placeholders, read_ts, said, ts_path
from ncii_desk.i18n import sources as found
from ncii_desk.services.activity import SENTENCES, Names, phrase

# Words that show a sentence was left in English (none is a Spanish word).
_WORDS = """the and with this your you from which when what has have been will can there
their into only after before file files case picture pictures vault passphrase was were of
to is not are added revealed opened found match"""
ENGLISH = frozenset(_WORDS.split())


def english_words(text: str, allowed: tuple[str, ...] = ()) -> set[str]:
    text = re.sub(r"'ncii-desk [^']*'", " ", text)  # a command to type stays as it is
    for name in allowed:
        text = text.replace(name, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)} & ENGLISH


@pytest.mark.parametrize("language", SHIPPED)
def test_services_catalogue_is_complete(language: str) -> None:
    entries = read_ts(ts_path(SERVICES_DOMAIN, language))
    assert [(e.context, e.source) for e in entries] == found.service_sources()
    assert len(entries) > 400
    bad = [
        f"{e.context}: {e.source!r}"
        for e in entries
        if e.state
        or not e.translation.strip()
        or placeholders(e.source) != placeholders(e.translation)
    ]
    assert bad == []


def test_every_error_text_can_be_followed() -> None:
    """Error texts are literal, f-strings, constants or pieces of those; only one message
    built from a tuple (vault damage: pages listed by number) is not followed."""
    left = [(u.where.split(":")[0], u.expression) for u in found.unresolved()]
    assert left == [("ncii_desk/vault/vault.py", "message")]


def test_a_new_error_text_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan finds a new raise with its f-string as a template (so the completeness test
    fails until it is translated), a hint given by keyword, a module constant, the words a
    placeholder is filled with, and leaves out errors that are not the app's own."""
    package = tmp_path / "ncii_desk"
    (package / "services").mkdir(parents=True)
    (package / "errors.py").write_text(found.ERRORS_MODULE.read_text(encoding="utf-8"))
    (package / "services" / "new.py").write_text(
        "from ncii_desk.errors import InputFileError, CaptureError\n"
        'ADVICE = "Try a " + "smaller file."\n'
        "def take(path, big):\n"
        '    size = "huge" if big else "odd"\n'
        '    raise InputFileError(f"{path.name} is {size} ({len(path.parts)} parts).",'
        " hint=ADVICE)\n"
        "def fetch(url):\n"
        '    raise CaptureError("dns", f"The address {url} has no server.")\n'
        "def other():\n"
        '    raise ValueError("not ours")\n'
        "class Refused(InputFileError):\n"
        "    def __init__(self, what, message=None):\n"
        '        super().__init__(f"The {what} was refused.", " ".join(["a", "b"]))\n'
        "        super().__init__(message)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(found, "PACKAGE", package)
    monkeypatch.setattr(found, "ERRORS_MODULE", package / "errors.py")
    monkeypatch.setattr(found, "ERROR_FOLDERS", ("services",))
    monkeypatch.setattr(found, "PHRASE_MODULES", ())
    monkeypatch.setattr(found, "DATA_PARTS", ())
    monkeypatch.setattr(found, "SHOWN_VALUES", ())
    monkeypatch.setattr(found, "SHOWN_CALLS", ())
    monkeypatch.setattr(found, "SHOWN_KEYS", ())
    found._scan.cache_clear()
    found._error_classes.cache_clear()
    try:
        texts = [t for c, t in found.service_sources() if c == "services.new"]
        assert texts == [
            "{name} is {size} ({parts_count} parts).",
            "Try a smaller file.",
            "huge",
            "odd",
            "The address {url} has no server.",
            "The {what} was refused.",
        ]
        assert found.unresolved() == []
    finally:
        found._scan.cache_clear()
        found._error_classes.cache_clear()


def test_said_puts_values_into_the_spanish_template() -> None:
    # Exact, and English stays English.
    hint = errors.UnsupportedMedia("x").hint
    assert said(hint, "es").startswith("NCII Desk lee imágenes JPEG")
    assert said(hint, "en") == hint
    # A template: the values kept, a value that is itself a known phrase translated too.
    english = (
        "/tmp/a b/notas.jpg is not an image or video (its content is a PDF document); "
        "it was not added."
    )
    assert said(english, "es") == (
        "/tmp/a b/notas.jpg no es una imagen ni un video (su contenido es un documento PDF); "
        "no se añadió."
    )
    # The same placeholder twice, and placeholders in another order than in English.
    english = "This photo has no face number 4; it has 2 (numbered 1 to 2, largest first)."
    assert said(english, "es") == (
        "Esta foto no tiene la cara número 4; tiene 2 (numeradas del 1 al 2, de la más grande "
        "a la más pequeña)."
    )
    # An error wrapping another error's message.
    inner = "The vault header cannot be read."
    outer = f"Both copies of the vault header are damaged; the vault cannot be unlocked. {inner}"
    assert said(outer, "es").endswith("No se puede leer el encabezado de la bóveda.")
    # A value that is a "; " list of known words: each word said.
    english = (
        "The DMCA notice cannot be produced. Missing: signature; contact information; "
        "a word no catalogue has."
    )
    assert said(english, "es") == (
        "No se puede preparar el aviso DMCA. Falta: firma; datos de contacto; "
        "a word no catalogue has."
    )
    # Activity templates are said through Phrase, never matched: "{first} and {second}"
    # would otherwise turn any English sentence with "and" into Spanish fragments.
    assert said("Alice and Bob", "es") == "Alice and Bob"
    # Unknown text, or one that only looks like a template, comes back unchanged.
    assert said("Something no catalogue has.", "es") == "Something no catalogue has."
    assert said("", "es") == ""


def test_said_follows_the_window_language(monkeypatch: pytest.MonkeyPatch) -> None:
    hint = errors.VaultLocked("x").hint
    monkeypatch.setattr(i18n, "_shown", ["es"])
    assert said(hint) == "Desbloquee la bóveda con su frase de contraseña y vuelva a intentarlo."
    monkeypatch.setattr(i18n, "_shown", ["en"])
    assert said(hint) == hint


def _import_scanned_modules() -> None:
    """Load every module the scan reads, so every error class exists as a subclass."""
    import importlib
    import pkgutil

    import ncii_desk

    for folder in found.ERROR_FOLDERS:
        name = "ncii_desk." + folder.removesuffix(".py").replace("/", ".")
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, name + "."):
                try:
                    importlib.import_module(info.name)
                except ImportError:  # an optional part not installed in this build
                    continue
    assert ncii_desk.errors is errors


def test_every_default_hint_is_in_spanish() -> None:
    _import_scanned_modules()
    classes = [errors.NciiDeskError]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        spanish = said(cls.default_hint, "es")
        assert spanish != cls.default_hint, cls.__name__
        assert not english_words(spanish, ("NCII Desk", "ncii-desk", "NCII_DESK_DEBUG")), spanish


SAMPLE_DETAILS = {
    "with": "passphrase",
    "ok": False,
    "problems": 2,
    "count": 3,
    "seconds": 15,
    "new": "https://example.org/x",
    "faces": 1,
    "reason": "",
    "file_name": "copia.png",
    "status": "refused",
    "ticket": "T-1",
    "platform": "Ejemplo",
    "exhibits": 4,
    "subject": "CN=Clínica",
    "name": "lista-a",
    "entries": 1,
    "hashes_only": True,
    "sender_fingerprint": "ABCD EFGH",
    "model": "",
    "images": 12,
    "value": True,
    "item": "i1",
}


def test_every_activity_sentence_has_a_spanish_form() -> None:
    """Every event kind, with names of people and files as they are."""
    names = Names(items={"i1": "playa.png"}, requests={"r1": "Ejemplo"}, cases={"c1": "Caso 7"})
    for action in SENTENCES:
        oid = {"item": "i1", "request": "r1", "case": "c1"}.get(action.split(".")[0], "")
        said_phrase = phrase(action, "Sam", oid, SAMPLE_DETAILS, names)
        spanish = said_phrase.text("es")
        assert spanish != str(said_phrase), action
        assert "{" not in spanish, (action, spanish)
        left = english_words(spanish, ("Sam", "playa.png", "https://example.org/x"))
        assert not left, (action, spanish, left)
    # The English sentence itself is unchanged by the window's language.
    line = phrase("item.reveal", "Sam", "i1", {"seconds": 15}, names)
    assert str(line) == "Sam revealed playa.png for 15 s"
    assert line.text("es") == "Sam mostró playa.png durante 15 s"


def test_phrase_values_are_never_read_as_templates() -> None:
    text = Phrase("Activity", "{who} added {file}", {"who": "Sam", "file": "{who}.png"})
    assert text.text("es") == "Sam añadió {who}.png"


def test_activity_templates_are_all_listed() -> None:
    """Every template of activity.py is literal (so the scan lists it), except inside
    _plural, whose two literal templates the scan lists at each call."""
    module = ast.parse(Path(found.PACKAGE / "services" / "activity.py").read_text("utf-8"))
    calls = [
        n
        for n in ast.walk(module)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_p"
    ]
    computed = [ast.unparse(c.args[0]) for c in calls if not isinstance(c.args[0], ast.Constant)]
    assert len(calls) > 80 and sorted(computed) == ["many", "one"]


def test_where_picture_checks_run_is_said_in_spanish() -> None:
    from ncii_desk.services.hardware import hardware_report

    both = hardware_report(
        {
            "providers_used": ["CUDAExecutionProvider", "CPUExecutionProvider"],
            "fallbacks": [{"provider": "CUDAExecutionProvider", "reason": "no driver"}],
        }
    )
    assert both.summary.startswith("Picture checks run on the processor and on this computer")
    assert both.summary_in("en") == both.summary
    assert both.summary_in("es") == (
        "Las comprobaciones de imágenes se hacen en el procesador y en la tarjeta gráfica de "
        "esta computadora. No se pudo usar la tarjeta gráfica, así que las comprobaciones se "
        "hacen en el procesador (más lento, mismos resultados). Los detalles muestran por qué."
    )
    nothing_yet = hardware_report({"providers": ["CPUExecutionProvider"]})
    assert nothing_yet.summary_in("es") == (
        "Todavía no se ha hecho ninguna comprobación de imágenes. Se harán en el procesador."
    )


def test_result_notes_are_said_in_spanish() -> None:
    """Texts a service appends to a result's warnings (shown under the under-18 switch, in
    the packet summary, in Settings) are in the catalogue, a module constant filled in."""
    from ncii_desk.services.packets import MINOR_REFUSAL

    note = f"No sealed volume was made: {MINOR_REFUSAL}"
    assert said(note, "es").startswith(
        "No se hizo un volumen sellado: el caso está marcado como posiblemente sobre una "
        "persona menor de 18 años"
    )
    copies = (
        "Copies made earlier outside the vault are not touched: 2 exported file(s) or web "
        "archive(s) and 1 evidence packet(s) of this case. Delete them from where they were saved."
    )
    assert said(copies, "es") == (
        "Las copias hechas antes fuera de la bóveda no se tocan: 2 archivo(s) exportado(s) o "
        "archivo(s) web y 1 paquete(s) de pruebas de este caso. Bórrelas de donde se guardaron."
    )


def test_phrase_contexts_are_the_ones_said_never_matched() -> None:
    contexts = {c for m in found.PHRASE_MODULES for c, _ in found._phrases(found.PACKAGE / m)}
    assert contexts == i18n.PHRASE_CONTEXTS
