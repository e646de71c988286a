"""CLI commands ``models evaluate`` and ``models validations``.

The work is done in ``ncii_desk.services.validation``; this module parses options and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0
EXIT_PARTIAL = 7


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _print_report(data: dict[str, Any]) -> None:
    from ncii_desk.cli.common import say

    counts = data["counts"]
    for row in data["rows"]:
        if row["status"] == "error":
            say(f"problem: {row['path']}: {row['message']}\n  {row['hint']}")
    say(f"Model {data['model']} (sha256 {data['model_sha256'][:16]}..., {data['provider']})")
    say(f"How pictures are scored: {data['scoring']}")
    for label in ("real", "fake"):
        c = counts[label]
        say(
            f"  {label}: {c['files']} file(s), {c['scored']} scored, {c['no_face']} with no face "
            f"(not scored), {c['several_faces']} with several faces (highest face score), "
            f"{c['errors']} could not be read"
        )
    lo, hi = data["auc_ci95"]
    boot = data["bootstrap"]
    say(
        f"ROC AUC {data['auc']:.3f}, 95 % interval {lo:.3f}-{hi:.3f} (stratified bootstrap, "
        f"{boot['resamples']} resamples, seed {boot['seed']}); 0.5 is chance."
    )
    at = data["at_threshold"]
    say(
        f"At threshold {data['threshold']:.2f}: false positives {at['false_positives']} of "
        f"{data['n_real']} real ({_pct(at['false_positive_rate'])}), false negatives "
        f"{at['false_negatives']} of {data['n_fake']} fake ({_pct(at['false_negative_rate'])})."
    )
    for label in ("real", "fake"):
        q = data["quantiles"][label]
        say(
            f"  {label} scores: min {q['q00']:.3f}, 10 % {q['q10']:.3f}, quartiles "
            f"{q['q25']:.3f} / {q['q50']:.3f} / {q['q75']:.3f}, 90 % {q['q90']:.3f}, "
            f"max {q['q100']:.3f}"
        )
    say(data["minimum"])
    if data["files"]:
        say("Written: " + ", ".join(data["files"].values()))
    say(
        f"Time: {data['seconds']:.1f} s "
        f"({data['seconds_per_image_median'] * 1000:.0f} ms per picture, median)."
    )


def cmd_models_evaluate(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say
    from ncii_desk.errors import InvalidSetting
    from ncii_desk.services.validation import evaluate, save_record

    if args.save and not (args.domain or "").strip():
        raise InvalidSetting(
            "--save needs --domain: what kind of pictures the labelled folders hold.",
            'Add for example --domain "face-swap video frames from phone recordings"; a '
            "validation counts only for pictures of that kind.",
        )
    with cli_job(args, "Evaluating") as job:
        report = evaluate(
            args.model,
            Path(args.real).expanduser(),
            Path(args.fake).expanduser(),
            threshold=args.threshold,
            out=Path(args.out).expanduser() if args.out else None,
            job=job,
        )
    data = report.as_dict()
    saved = None
    if args.save:
        with opened(args) as vault:
            saved = save_record(vault, report, domain=args.domain)
        data["saved"] = saved.as_dict()
    if args.json:
        emit_json(data)
    else:
        _print_report(data)
        if saved is not None:
            say(
                f"Saved in the vault as validation record {saved.id[:12]} (SHA-256 "
                f"{saved.record_sha256[:16]}..., signed into the audit trail): the model is "
                f"{saved.validation().words()}."
            )
    errors = sum(c["errors"] for c in data["counts"].values())
    return EXIT_PARTIAL if errors else EXIT_OK


def cmd_models_validations(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services.validation import list_records

    with opened(args) as vault:
        records = list_records(vault)
    if args.json:
        emit_json([r.as_dict() for r in records])
        return EXIT_OK
    if not records:
        say("No validation record is stored. Make one with: ncii-desk models evaluate ... --save")
        return EXIT_OK
    for r in records:
        rec = r.record
        lo, hi = rec.get("auc_ci95", [0.0, 0.0])
        state = "meets the minimum" if r.meets_minimum else "below the minimum"
        if not r.intact:
            state = f"NOT USED: {r.problem}"
        say(
            f"{str(rec.get('date', ''))[:10]}  {r.model:<20} {r.images} images  "
            f"AUC {rec.get('auc', 0.0):.3f} [{lo:.3f}-{hi:.3f}]  {state}  "
            f"({rec.get('domain', '')}; by {rec.get('operator', '')})"
        )
    return EXIT_OK


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must lie between 0 and 1")
    return value


def register(commands: Commands) -> None:
    models_g = commands.groups["models"]
    p = commands.command(
        models_g,
        "evaluate",
        cmd_models_evaluate,
        "measure a manipulation classifier on your own labelled pictures (ROC AUC with a "
        "bootstrap interval, error rates, score distributions)",
    )
    p.add_argument("model", help="classifier name from the manifest ('ncii-desk models list')")
    p.add_argument("--real", required=True, metavar="DIR", help="folder of real pictures")
    p.add_argument("--fake", required=True, metavar="DIR", help="folder of manipulated pictures")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="folder for roc.png, histogram.png and report.json (owner-only; replaced if there)",
    )
    p.add_argument(
        "--threshold",
        type=_probability,
        default=None,
        metavar="T",
        help="manipulation probability at which a picture counts as flagged, for the error "
        "rates (default: the model's decision point, 0.5)",
    )
    p.add_argument(
        "--save",
        action="store_true",
        help="store the result in the vault as the model's validation record (audited)",
    )
    p.add_argument(
        "--domain",
        metavar="TEXT",
        help="with --save (required there): what kind of pictures the folders hold",
    )
    commands.command(
        models_g, "validations", cmd_models_validations, "list the validation records in the vault"
    )
