"""``ncii-desk models ...``: list, install and verify the analysis models."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncii_desk.cli.common import (
    EXIT_INTEGRITY,
    EXIT_NOT_INSTALLED,
    EXIT_OK,
    Commands,
    emit_json,
    say,
    table,
    warn,
)
from ncii_desk.errors import InvalidSetting


def cmd_models_list(args: argparse.Namespace) -> int:
    from ncii_desk.services.models import ModelRegistry, list_models

    registry = ModelRegistry()
    specs = {m.name: m for m in registry}
    entries = list_models(registry)
    if args.json:
        emit_json(
            [
                {
                    "name": m.name,
                    "task": m.task,
                    "file": m.file,
                    "sha256": m.sha256,
                    "size": m.size,
                    "format": m.format,
                    "licence": m.licence,
                    "bundled": m.bundled,
                    "source": m.source,
                    "caveats": m.caveats,
                    "installed": e.state == "ok",
                    "state": e.state,
                    "path": e.path,
                }
                for e in entries
                for m in (specs[e.name],)
            ]
        )
        return EXIT_OK
    installed = {"ok": "yes", "corrupt": "DAMAGED", "not-installed": "no"}
    table(
        [
            [e.name, e.task, installed[e.state], "yes" if e.bundled else "", e.licence]
            for e in entries
        ],
        ["NAME", "TASK", "INSTALLED", "BUNDLED", "LICENCE"],
    )
    say("Searched in: " + "; ".join(str(p) for p in registry.search_path()))
    if any(e.bundled and e.state != "ok" for e in entries):
        say(
            "A model the installers carry is missing or damaged: copy verified files with "
            "'ncii-desk models install --from FOLDER' (see 'ncii-desk models verify')."
        )
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from ncii_desk.services.models import ModelRegistry, install_from

    registry = ModelRegistry()
    results = install_from(Path(args.source).expanduser(), args.only or (), registry)
    corrupt = [r.name for r in results if r.outcome == "corrupt"]
    still_missing = [st.name for st in registry.verify_all() if st.bundled and st.state != "ok"]
    if args.json:
        emit_json(
            {
                "ok": not corrupt and not still_missing,
                "results": [r.as_dict() for r in results],
                "corrupt": corrupt,
                "bundled_not_installed": still_missing,
            }
        )
    else:
        labels = {
            "installed": "installed",
            "already-installed": "unchanged",
            "corrupt": "NOT COPIED",
            "not-found": "not found",
        }
        for r in results:
            line = f"{labels[r.outcome]:<10}  {r.name:<20} {r.message}"
            (warn if r.outcome == "corrupt" else say)(line)
        if still_missing:
            warn(
                "still not installed (the installers carry them): "
                + ", ".join(still_missing)
                + ". Add their files to the folder and run the command again."
            )
        else:
            say(
                "Every model the installers carry is installed. Check with: ncii-desk models verify"
            )
    if corrupt:
        return EXIT_INTEGRITY
    return EXIT_NOT_INSTALLED if still_missing else EXIT_OK


def cmd_models_verify(args: argparse.Namespace) -> int:
    from ncii_desk.services.models import ModelRegistry, describe_runtime

    registry = ModelRegistry()
    statuses = registry.verify_all()
    runtime = describe_runtime(registry, statuses)
    # A damaged or different file is an integrity failure (3); a model the installer should
    # carry that is not there is "not installed" (8); an optional model that is not there is
    # listed but fails nothing.
    corrupt = [st.name for st in statuses if st.state == "corrupt"]
    missing = [st.name for st in statuses if st.state == "not-installed" and st.bundled]
    optional = [st.name for st in statuses if st.state == "not-installed" and not st.bundled]
    # a clinic manifest entry that cannot be used as written (a bad or missing key)
    invalid = [st.name for st in statuses if st.state == "invalid"]
    ok = not corrupt and not missing and not invalid
    if args.json:
        emit_json(
            {
                "ok": ok,
                "corrupt": corrupt,
                "not_installed": missing,
                "optional_not_installed": optional,
                "invalid": invalid,
                "clinic_manifests": [str(p) for p in registry.clinic_manifests],
                "models": [st.as_dict() for st in statuses],
                "runtime": runtime,
            }
        )
    else:
        labels = {"ok": "OK           ", "corrupt": "CORRUPT      ", "invalid": "INVALID ENTRY"}
        for st in statuses:
            label = labels.get(st.state) or (
                "NOT INSTALLED" if st.bundled else "not installed (optional)"
            )
            say(f"{label}  {st.name:<20} {st.path if st.ok else st.reason}")
        unusable = sorted({f["provider"] for f in runtime["fallbacks"]})
        if runtime["provider_checked"]:
            say(
                f"Analysis runs on: {runtime['provider']} ({runtime['device']}; onnxruntime "
                f"{runtime['onnxruntime']})"
                + (f"; not usable on this computer: {', '.join(unusable)}" if unusable else "")
            )
        else:
            say(
                "Where analysis runs was not checked: no ONNX model could be opened. It will "
                f"try {runtime['next_provider']} first (onnxruntime {runtime['onnxruntime']})."
            )
        for path in registry.clinic_manifests:
            say(f"Clinic manifest read: {path}")
    if corrupt:
        return EXIT_INTEGRITY
    if invalid:
        return InvalidSetting.exit_code
    return EXIT_NOT_INSTALLED if missing else EXIT_OK


def register(commands: Commands) -> None:
    """Add the ``models`` group (alone, it lists the models)."""
    command, group, sub = commands.command, commands.group, commands.sub
    models_g = group(
        "models",
        "list, install and verify the analysis models (face, manipulation); "
        "with no action: list them",
    )
    # 'ncii-desk models' alone lists the models (installed?, bundled?, licence).
    models_g.required = False
    models_p = sub.choices["models"]
    models_p.add_argument("--json", action="store_true", help="machine-readable output")
    models_p.set_defaults(handler=cmd_models_list)
    command(
        models_g,
        "list",
        cmd_models_list,
        "list the models of the manifest: installed?, bundled?, licence",
    )
    p = command(
        models_g,
        "install",
        cmd_models_install,
        "copy model files from a folder into your model folder, each checked against the "
        "manifest's sha256 first (the models step of a pip install)",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="DIR",
        help="folder holding the model files (and their licence files)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="install only this model (repeatable; default: every model found)",
    )
    command(
        models_g,
        "verify",
        cmd_models_verify,
        "find every model file, check its sha256, and show the analysis provider",
    )
