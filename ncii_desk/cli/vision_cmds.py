"""CLI commands for face and manipulation analysis: ``analyze`` and ``faces ...``.

build_parser in main.py calls :func:`register`. The work is done in
``ncii_desk.services.analysis`` and ``ncii_desk.services.faces_gallery``; this module only
parses options and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk import cmdline
from ncii_desk.services.values import EMBEDDERS

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0
EXIT_PARTIAL = 7
EXIT_CANCELLED = 130


def _box(box: list[float]) -> str:
    x, y, w, h = (round(v) for v in box)
    return f"x={x} y={y} w={w} h={h}"


def _short(item_id: str) -> str:
    return item_id[:12]


# --- analyze ----------------------------------------------------------------------------------


def _print_item(item: dict[str, Any]) -> None:
    from ncii_desk.cli.common import say

    name = item["file_name"] or "(no file name)"
    say(f"{name} (item {_short(item['item_id'])}): {item['status']}")
    if item["reason"]:
        say(f"  {item['reason']}")
    for err in item["errors"]:
        say(f"  problem in {err['step']}: {err['message']}")
    summary = item.get("summary") or {}
    if summary:
        say(f"  {summary['overview']}")
        for finding in summary["findings"]:
            tag = finding["strength"]
            if finding.get("unvalidated") and tag != "none":
                tag = "weak or unvalidated signal, not a finding"
            say(f"  - [{tag}] {finding['finding']}")
            say(f"      limits: {finding['caveat']}")
    say()


def cmd_analyze(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say, warn
    from ncii_desk.services.analysis import analyze_case
    from ncii_desk.services.faces_gallery import embedder_chosen

    with (
        embedder_chosen(args.embedder),
        opened(args) as vault,
        cli_job(args, "Analysing") as job,
    ):
        report = analyze_case(
            vault,
            args.case,
            job,
            again=args.again,
            every_s=args.every,
            classifiers=args.classifier or None,
        )
    data = report.as_dict()
    if args.json:
        emit_json(data)
    else:
        for problem in data["problems"]:
            warn(f"{problem['message']}\n  {problem['hint']}")
        counts = data["counts"]
        runtime = data["runtime"]
        for item in data["items"]:
            _print_item(item)
        say(
            f"{counts['analysed']} item(s) analysed, {counts['up-to-date']} already up to date, "
            f"{counts['skipped']} skipped, {counts['failed']} could not be analysed; "
            f"{data['new_matches']} new match(es) (see them with: "
            f"{cmdline.command('matches', args.case)})."
        )
        say(
            f"Reference faces in the gallery: {data['gallery']['faces']}. Classifiers: "
            + (", ".join(c["name"] for c in data["classifiers"]) or "none")
            + "."
        )
        say(data["manipulation_limits"])
        ran_on = (
            f"{data['provider']} ({runtime['device']})"
            if data["provider"]
            else "nothing (no model could be opened)"
        )
        say(f"Analysis ran on: {ran_on}, onnxruntime {runtime['onnxruntime']}.")
        for fb in runtime["fallbacks"]:
            say(f"  ({fb['provider']} could not be used: {fb['reason']})")
        if data["gallery"]["faces"] == 0:
            say(
                "No reference face is picked, so faces were not compared. See the faces with: "
                + cmdline.command("faces", "list", args.case)
            )
        if report.cancelled:
            say("Cancelled: the items finished before the cancel are kept.")
    if report.cancelled:
        return EXIT_CANCELLED
    counts = report.counts()
    partial = counts["failed"] or counts["with_errors"] or report.problems
    return EXIT_PARTIAL if partial else EXIT_OK


# --- faces ------------------------------------------------------------------------------------


def cmd_faces_list(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say
    from ncii_desk.services.faces_gallery import list_reference_faces

    with opened(args) as vault, cli_job(args, "Finding faces") as job:
        photos = list_reference_faces(vault, args.case, include_originals=args.originals, job=job)
    if args.json:
        emit_json([p.as_dict() for p in photos])
        return EXIT_OK
    if not photos:
        say(
            "This case has no reference photos. Add one with: "
            + cmdline.command("add", "reference", args.case)
            + " FILE"
        )
        return EXIT_OK
    picked = 0
    for photo in photos:
        name = photo.file_name or "(no file name)"
        say(f"{name} (item {_short(photo.item_id)}, {photo.role}): {photo.message}")
        for face in photo.faces:
            mark = ""
            if face.picked:
                picked += 1
                who = "automatically" if face.chosen_by == "auto" else f"by {face.chosen_by}"
                mark = f"  PICKED ({who})"
            say(
                f"  face {face.index}  {_box(face.box)}  detector score "
                f"{face.detection_score:.2f}{mark}"
            )
    say()
    say(f"Gallery: {picked} face(s) picked. Faces are numbered from 1, largest first.")
    say("Pick one with: ncii-desk faces pick ITEM FACE   (remove: ncii-desk faces unpick ITEM)")
    return EXIT_OK


def cmd_faces_pick(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services.faces_gallery import pick_reference_face

    with opened(args) as vault:
        view = pick_reference_face(vault, args.item, args.face)
    if args.json:
        emit_json(view.as_dict())
    else:
        say(
            f"Face {view.face_index} of item {_short(view.item_id)} ({_box(view.box)}) is now in "
            "the case's reference gallery (recorded in the audit trail)."
        )
    return EXIT_OK


def cmd_faces_unpick(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services.faces_gallery import unpick_reference_face

    with opened(args) as vault:
        views = unpick_reference_face(vault, args.item, args.face)
    if args.json:
        emit_json([v.as_dict() for v in views])
    else:
        faces = ", ".join(str(v.face_index) for v in views)
        say(
            f"Removed face(s) {faces} of item {_short(views[0].item_id)} from the gallery "
            "(recorded in the audit trail)."
        )
    return EXIT_OK


def cmd_faces_compare(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, say
    from ncii_desk.services.faces_gallery import compare_files

    with cli_job(args, "Comparing faces") as job:
        data = compare_files(
            [Path(p) for p in args.reference],
            [Path(p) for p in args.suspect],
            threshold=args.threshold,
            faces=args.face or (),
            embedder=args.embedder,
            job=job,
        )
    unreadable = [r for r in [*data["references"], *data["suspects"]] if "error" in r]
    if args.json:
        emit_json(data)
    else:
        for ref in data["references"]:
            if "error" in ref:
                sys.stderr.write(f"error: {ref['path']}: {ref['message']}\n  {ref['hint']}\n")
            elif ref["used_face"] is None:
                say(f"reference {ref['path']}: no face found (not used)")
            else:
                extra = (
                    f" (face {ref['used_face']['face']} of {ref['faces_found']})"
                    if ref["faces_found"] > 1
                    else ""
                )
                if ref["used_face"]["rotation"]:
                    extra += f" (found turned {ref['used_face']['rotation']} degrees)"
                say(f"reference {ref['path']}: {_box(ref['used_face']['box'])}{extra}")
        say()
        for sus in data["suspects"]:
            if "error" in sus:
                sys.stderr.write(f"error: {sus['path']}: {sus['message']}\n  {sus['hint']}\n")
                continue
            if not sus["faces"]:
                say(f"{sus['path']}: no face found")
                continue
            say(f"{sus['path']}:")
            for face in sus["faces"]:
                verdict = "MATCH" if face["match"] else "no match"
                if face["rotation"]:
                    verdict += f" (photo turned {face['rotation']} degrees)"
                say(
                    f"  face {face['face']}  {_box(face['box'])}  similarity "
                    f"{face['similarity']:.2f} to {face['reference']}  -> {verdict} "
                    f"(threshold {face['threshold']:.2f})"
                )
        say()
        say(
            "A match is a lead for a person to check, not an identification. "
            f"Embedder: {data['embedder']}. Ran on: {data['provider']}."
        )
    if data["cancelled"]:
        return EXIT_CANCELLED
    return EXIT_PARTIAL if unreadable else EXIT_OK


#: The face embedders (vision/embedders.py loads neither numpy nor OpenCV, so building the
#: parser stays light).
EMBEDDER_CHOICES = EMBEDDERS


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _face_number(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("faces are numbered from 1")
    return value


def register(commands: Commands) -> None:
    """``analyze`` and the ``faces`` group."""
    p = commands.command(
        commands.sub,
        "analyze",
        cmd_analyze,
        "analyse a case's suspect items: faces, manipulation, source photos, generator data",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument(
        "--again", action="store_true", help="analyse items again even if nothing changed"
    )
    p.add_argument(
        "--every",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="seconds between the video frames analysed (default 1)",
    )
    p.add_argument(
        "--classifier",
        action="append",
        metavar="MODEL",
        help="manipulation classifier to run, by model name (repeat for several; default: "
        "the standard set, see 'ncii-desk models list')",
    )
    p.add_argument(
        "--embedder",
        choices=EMBEDDER_CHOICES,
        default=None,
        help="face embedding model for this run (default: $NCII_DESK_FACE_EMBEDDER if set, "
        "else the vault's setting from the app's Settings, else dlib-resnet-128)",
    )

    faces_g = commands.group("faces", "the victim's reference faces, and face comparison")
    p = commands.command(faces_g, "list", cmd_faces_list, "list the faces in reference photos")
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument(
        "--originals", action="store_true", help="also list faces in the original photos"
    )
    p = commands.command(
        faces_g, "pick", cmd_faces_pick, "put one face of a reference photo in the gallery"
    )
    p.add_argument("item", help="item id or id prefix of the photo")
    p.add_argument("face", type=_face_number, help="face number as listed (1 = largest)")
    p = commands.command(
        faces_g, "unpick", cmd_faces_unpick, "take a photo's face(s) out of the gallery"
    )
    p.add_argument("item", help="item id or id prefix of the photo")
    p.add_argument(
        "face", type=_face_number, nargs="?", default=None, help="face number (default: all)"
    )
    p = commands.command(
        faces_g,
        "compare",
        cmd_faces_compare,
        "compare faces in photos with reference photos (no vault needed; nothing is stored)",
    )
    p.add_argument(
        "--reference", nargs="+", required=True, metavar="IMG", help="photos of the person"
    )
    p.add_argument("--suspect", nargs="+", required=True, metavar="IMG", help="photos to check")
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="similarity at which a face counts as a match (default: the embedder's "
        "threshold from the model manifest, 0.40 for both embedders)",
    )
    p.add_argument(
        "--face",
        type=_face_number,
        nargs="+",
        metavar="N",
        help="which face of a reference photo that shows several (1 = largest, as 'faces "
        "list' numbers them): once for every such photo, or once per --reference photo",
    )
    p.add_argument(
        "--embedder",
        choices=EMBEDDER_CHOICES,
        default=None,
        help="face embedding model (default dlib-resnet-128, or $NCII_DESK_FACE_EMBEDDER)",
    )
