"""CLI commands for the document area; build_parser in main.py calls register().

Each command is one small ``_add_<name>(commands)`` block plus its ``cmd_<name>`` handler;
adding a command means adding one such block and one line to ``register``.

    clinic set|show|key|tsa|sign-off-rule  the clinic's details, packet-signing key, time-stamp
                                     authority, letters signed off before sending
    requests CASE                    list a case's removal requests (same as 'requests list')
    requests draft|show|sign-off|sent|ticket|status|export|followup|escalation
    handout CASE --out FILE.pdf      the hand-out for the person the case is about
    packet CASE --out DIR            the civil-claim evidence packet (PDF, manifests, ZIP)
    verify PACKET_DIR_OR_ZIP         check a packet against its manifest, offline
    packet-signing set|show|clear    the clinic certificate that signs packet PDFs
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk import cmdline
from ncii_desk.errors import ExportError, InvalidSetting
from ncii_desk.hardening import make_private_dir
from ncii_desk.lazy import LazyChoices, add_lazy_choices, lazy_module
from ncii_desk.services.values import COVERED_ANSWERS, COVERED_DEFINITION, COVERED_QUESTION

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands
    from ncii_desk.services import letters
    from ncii_desk.services import requests as tracker
    from ncii_desk.services.letters import Letter, LetterForm
    from ncii_desk.services.requests import RequestView
else:  # loaded on first use: reportlab and SQLAlchemy are not needed to start
    letters = lazy_module("ncii_desk.services.letters")
    tracker = lazy_module("ncii_desk.services.requests")

EXIT_OK = 0
FORMATS = {"pdf": ("pdf",), "docx": ("docx",), "both": ("pdf", "docx")}


def register(commands: Commands) -> None:
    """Add this area's commands."""
    _add_clinic(commands)
    _add_requests(commands)
    _add_handout(commands)
    _add_packet(commands)
    _add_verify(commands)
    _add_packet_signing(commands)


# --- shared option helpers ---------------------------------------------------------------


def _form_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("who sends it (defaults from 'ncii-desk clinic set')")
    g.add_argument("--signer", help="name of the person signing (default: the clinic's signer)")
    g.add_argument(
        "--self",
        dest="is_self",
        action="store_true",
        help="the person depicted sends it themselves (default: a representative sends it)",
    )
    g.add_argument("--authority", help="why the representative may act for the person")
    g.add_argument("--organisation", help="organisation shown on the letter")
    g.add_argument("--email")
    g.add_argument("--phone")
    g.add_argument("--address", help="postal address")
    g = p.add_argument_group("what it says")
    sig = g.add_mutually_exclusive_group()
    sig.add_argument("--signature", help="electronic signature text, e.g. '/s/ Jane Roe'")
    sig.add_argument("--sign", action="store_true", help="sign as '/s/ SIGNER'")
    g.add_argument(
        "--person-name",
        default="",
        help="legal name of the person depicted: printed only for platforms that require it "
        "(e.g. Discord); other letters use the case's pseudonym",
    )
    g.add_argument(
        "--good-faith",
        action="store_true",
        help="confirm the good-faith statement (the person agreed to it)",
    )
    g.add_argument("--statement", default="", help="relevant information, in a sentence or two")
    g.add_argument(
        "--forgery", action="store_true", help="the images were digitally created or altered"
    )
    g.add_argument("--work", default="", help="DMCA: the copyrighted work (e.g. 'a selfie')")
    g.add_argument(
        "--copyright-owner",
        action="store_true",
        help="DMCA: confirm the client owns the copyright of the originals copied (each "
        "original must also be marked with 'ncii-desk item copyright')",
    )
    g.add_argument(
        "--accuracy-statement",
        action="store_true",
        help="DMCA: confirm the statement of accuracy and authority under penalty of perjury",
    )
    g.add_argument(
        "--covered-platform",
        choices=list(COVERED_ANSWERS),
        default="",
        help="TAKE IT DOWN: your answer to '"
        + COVERED_QUESTION.replace("%", "%%")
        + "' (required for --route takedown; with several platforms, answer per platform "
        "with --platform). "
        + COVERED_DEFINITION.replace("%", "%%")
        + " With no or unsure the letter asks for removal under the site's own policies and "
        "does not claim the 48-hour duty.",
    )


def _form(args: argparse.Namespace, clinic: dict[str, str]) -> LetterForm:
    signer = (args.signer or clinic["signer"]).strip()
    representative = not args.is_self
    sender = letters.Sender(
        name=signer,
        email=args.email if args.email is not None else clinic["email"],
        phone=args.phone if args.phone is not None else clinic["phone"],
        address=args.address if args.address is not None else clinic["address"],
        organisation=(args.organisation if args.organisation is not None else clinic["name"])
        if representative
        else (args.organisation or ""),
        representative=representative,
        authority=(args.authority if args.authority is not None else clinic["authority"])
        if representative
        else "",
    )
    signature = args.signature or (f"/s/ {signer}" if args.sign and signer else "")
    if args.sign and not signer:
        raise InvalidSetting(
            "--sign needs the signer's name.", "Give --signer NAME or set it with 'clinic set'."
        )
    return letters.LetterForm(
        sender=sender,
        signature=signature,
        person_name=args.person_name,
        good_faith=args.good_faith,
        statement=args.statement,
        forgery=args.forgery,
        work=args.work,
        copyright_owner=args.copyright_owner,
        accuracy=args.accuracy_statement,
        covered_platform=getattr(args, "covered_platform", "") or "",
    )


def _request_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("request", help="request id or id prefix")


def _output_options(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Where letters are written: --out FOLDER, --format pdf|docx|both, --overwrite."""
    folder_help = "folder to write to" if required else "also write the letters into this folder"
    p.add_argument("--out", required=required, help=folder_help)
    p.add_argument("--format", choices=list(FORMATS), default="both")
    p.add_argument("--overwrite", action="store_true")


def _report_written(args: argparse.Namespace, written: list[Path]) -> int:
    from ncii_desk.cli.common import emit_json, say

    if args.json:
        emit_json({"files": [str(p) for p in written]})
    else:
        for path in written:
            say(f"Wrote {path}")
    return EXIT_OK


def _letter_files(letters: list[Letter], fmt: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for letter in letters:
        for kind in FORMATS[fmt]:
            name = f"{letter.filename}.{kind}"
            if name in files:
                raise ExportError(f"Two documents would both be called {name}.")
            files[name] = letter.pdf() if kind == "pdf" else letter.docx()
    return files


def _time_left(view: RequestView) -> str:
    if view.seconds_left is None:
        return "-"
    minutes = abs(view.seconds_left) // 60
    text = f"{minutes // 60}h {minutes % 60:02d}m"
    return f"OVERDUE by {text}" if view.overdue else f"{text} left"


def _content(view: RequestView) -> str:
    """What the latest re-checks found, e.g. "gone since 2026-06-01 12:00 UTC"."""
    if view.content == "gone" and view.gone_since:
        return f"gone since {view.gone_since[:16].replace('T', ' ')} UTC"
    return view.content or "-"


# --- clinic ------------------------------------------------------------------------------


def cmd_clinic_set(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record

    values = {k: getattr(args, k) for k in tracker.CLINIC_FIELDS}
    if all(v is None for v in values.values()):
        raise InvalidSetting("Give at least one detail to set.", "For example --email X.")
    with opened(args) as vault:
        clinic = tracker.set_clinic(vault, **values)
    return show_record(args, clinic)


def cmd_clinic_show(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record

    with opened(args) as vault:
        clinic = tracker.get_clinic(vault)
    return show_record(args, clinic)


def _add_clinic(commands: Commands) -> None:
    g = commands.group(
        "clinic",
        "the clinic: its details printed on letters, the key that signs packets, and "
        "membership of a clinic's shared store (join, admit, members)",
    )
    p = commands.command(g, "set", cmd_clinic_set, "store the clinic's name and contact details")
    p.add_argument("--name", help="clinic or organisation name")
    p.add_argument("--signer", help="who signs letters by default")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--address", help="postal address")
    p.add_argument("--authority", help="default statement of authority to act for clients")
    commands.command(g, "show", cmd_clinic_show, "show the stored clinic details")
    commands.command(
        g,
        "key",
        cmd_clinic_key,
        "show the public key and fingerprint that sign this vault's evidence packets "
        "(publish the fingerprint so recipients can check packets)",
    )
    p = commands.command(
        g,
        "tsa",
        cmd_clinic_tsa,
        "show or set the RFC 3161 time-stamp authority 'packet --timestamp' asks",
    )
    p.add_argument("url", nargs="?", help="the authority's http(s) address")
    p.add_argument("--clear", action="store_true", help="forget the stored authority")
    p = commands.command(
        g,
        "sign-off-rule",
        cmd_clinic_sign_off_rule,
        "show, or turn on or off, the rule that a clinic case's letters are signed off by a "
        "supervising attorney before they are sent (on by default; no effect in a laptop vault)",
    )
    p.add_argument("state", nargs="?", choices=("on", "off"), help="on or off")


def cmd_clinic_key(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services import packets

    with opened(args) as vault:
        info = packets.signing_key_info(vault)
    if args.json:
        emit_json(info.as_dict())
        return EXIT_OK
    say("Evidence packets from this vault are signed (manifest.sig) with this Ed25519 key.")
    say(f"Fingerprint: {info.fingerprint}")
    say(f"Public key (raw, base64): {info.public_key_b64}")
    say("Publish the fingerprint (letterhead, website) so recipients can compare it.")
    return EXIT_OK


def cmd_clinic_tsa(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services import settings

    if args.clear and args.url:
        raise InvalidSetting("Give either a URL or --clear, not both.")
    with opened(args) as vault:
        if args.clear:
            url = settings.set_tsa_url(vault, None)
        elif args.url:
            url = settings.set_tsa_url(vault, args.url)
        else:
            url = settings.tsa_url(vault)
    if args.json:
        emit_json({"tsa_url": url})
    elif url:
        say(f"Time-stamp authority: {url} (asked only by 'ncii-desk packet --timestamp')")
    else:
        say("No time-stamp authority is set; packets are not time-stamped.")
    return EXIT_OK


# --- requests ----------------------------------------------------------------------------


def cmd_requests_list(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say, table

    with opened(args) as vault:
        views = tracker.list_requests(vault, args.case)
    if args.json:
        emit_json([v.as_dict() for v in views])
        return EXIT_OK
    if not views:
        say(
            "No removal requests yet. Draft them with: "
            + cmdline.command("requests", "draft", args.case, "--route", "takedown")
        )
        return EXIT_OK
    rows = [
        [
            v.id[:12],
            v.platform,
            v.route,
            v.state,
            (v.sent_at or "-")[:16],
            _time_left(v),
            v.ticket_id or "-",
            _content(v),
        ]
        for v in views
    ]
    table(rows, ["ID", "PLATFORM", "ROUTE", "STATUS", "SENT", "TIME LEFT", "TICKET", "CONTENT"])
    return EXIT_OK


def cmd_requests_show(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record
    from ncii_desk.services import signoff

    with opened(args) as vault:
        view = tracker.get_request(vault, args.request)
        sign_offs = signoff.list_sign_offs(vault, view.id)
    data = view.as_dict()
    data["time_left"] = _time_left(view)
    data["sign_offs"] = [s.as_dict() for s in sign_offs]
    return show_record(args, data)


def cmd_requests_sign_off(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record
    from ncii_desk.services import signoff

    with opened(args) as vault:
        view = signoff.sign_off_request(vault, args.request)
    return show_record(args, view.as_dict())


def cmd_clinic_sign_off_rule(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record
    from ncii_desk.services import signoff

    with opened(args) as vault:
        if args.state is None:
            required = signoff.sign_off_required(vault)
        else:
            required = signoff.set_sign_off_required(vault, args.state == "on")
    return show_record(args, {"letters_need_sign_off": required})


def cmd_requests_draft(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say, warn

    with opened(args) as vault:
        form = _form(args, tracker.get_clinic(vault))
        if args.out:
            # Refuse before anything is stored if the files cannot be written there.
            make_private_dir(Path(args.out), parents=True)
        result = tracker.draft_requests(
            vault,
            args.case,
            args.route,
            form,
            platform=args.platform,
            extra_urls=args.url,
            items=args.item,
            again=args.again,
        )
        written: list[Path] = []
        if args.out:
            try:
                written = tracker.write_files(
                    Path(args.out),
                    _letter_files(result.letters, args.format),
                    overwrite=args.overwrite,
                )
            except ExportError as exc:
                ids = " ".join(v.id[:12] for v in result.requests)
                raise ExportError(
                    f"The drafts were stored ({ids}), but not written: {exc.message}",
                    "Write them with 'ncii-desk requests export REQ --out DIR', or draft again "
                    "with --overwrite.",
                ) from None
    if result.routed_to_ncmec:
        warn(
            "Some addresses may show a person under 18: they are in a report sheet for NCMEC "
            "(CyberTipline, Take It Down) with hashes and addresses only, never images."
        )
    if args.route == "dmca":
        warn(
            "A DMCA notice and its sender's details can be forwarded to the uploader and "
            "published; consider an agent or attorney as the sender."
        )
    for name in result.not_applicable:
        warn(f"{name}: this kind of request does not apply there; no letter was made.")
    for left in result.not_included:
        warn(f"Not included: {_left_out(left)}")
    if result.unmarked_originals:
        warn(
            f"{len(result.unmarked_originals)} original(s) have no copyright marks yet "
            f"({', '.join(i[:12] for i in result.unmarked_originals)}): a DMCA notice lists "
            "only copies of originals marked as the client's. --copyright-owner no longer "
            "stands for every original: mark each with 'ncii-desk item copyright ITEM'."
        )
    if result.suggestion:
        warn(result.suggestion)
    unreviewed = sum(d.review == "pending" for letter in result.letters for d in letter.depictions)
    if unreviewed:
        warn(
            f"{unreviewed} picture(s) were matched automatically and not yet confirmed by a "
            f"reviewer: check them ({cmdline.command('matches', args.case)}) before sending."
        )
    if args.json:
        emit_json(result.as_dict() | {"files": [str(p) for p in written]})
        return EXIT_OK
    for view, letter in zip(result.requests, result.letters, strict=True):
        confirmed = sum(d.review == "confirmed" for d in letter.depictions)
        say(
            f"Draft {view.id[:12]}: {view.route} to {view.platform} "
            f"({len(letter.depictions)} picture(s) or address(es), {confirmed} confirmed by a "
            "reviewer)"
        )
    for path in written:
        say(f"Wrote {path}")
    say("When you have sent one, record it with: ncii-desk requests sent REQ")
    return EXIT_OK


def _left_out(left: tracker.LeftOut) -> str:
    if left.reason == tracker.ALREADY_REQUESTED:
        return f"{left.url}: already in request {left.request_id[:12]} ({left.status})"
    if left.reason == tracker.NO_ADDRESS:
        return f"item {left.item_id[:12]}: {left.reason}"
    if left.reason in tracker.DMCA_REASONS:
        return tracker.describe_left_out(left, {})
    return f"{left.url}: {left.reason} (add it with --item ITEM or --url URL)"


def cmd_requests_sent(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record

    if args.correct and not (args.at and args.reason):
        raise InvalidSetting(
            "--correct needs the right time (--at) and a reason (--reason).",
            "For example: requests sent REQ --correct --at '2026-12-06 14:05' --reason "
            "'sent at 14:05, recorded late'.",
        )
    if args.reason and not args.correct:
        raise InvalidSetting("--reason goes with --correct.", "Add --correct to change the time.")
    with opened(args) as vault:
        zone = tracker.zone_named(args.zone) if args.zone else tracker.clinic_zone(vault)
        at = tracker.parse_local(args.at, zone) if args.at else None
        if args.correct:
            assert at is not None
            view = tracker.correct_sent(vault, args.request, at, args.reason)
        else:
            view = tracker.mark_sent(vault, args.request, at=at)
    return show_record(args, _summary(view))


def cmd_requests_ticket(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record

    with opened(args) as vault:
        view = tracker.set_ticket(vault, args.request, args.ticket)
    return show_record(args, _summary(view))


def cmd_requests_status(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record

    with opened(args) as vault:
        view = tracker.set_status(vault, args.request, args.status, note=args.note)
    return show_record(args, _summary(view))


def cmd_requests_export(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened

    with opened(args) as vault:
        written = tracker.export_documents(
            vault,
            args.request,
            Path(args.out),
            formats=FORMATS[args.format],
            overwrite=args.overwrite,
        )
    return _report_written(args, written)


def cmd_requests_followup(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened

    with opened(args) as vault:
        form = _form(args, tracker.get_clinic(vault))
        letter = tracker.followup_letters(vault, args.request, form, args.kind)
        written = tracker.write_files(
            Path(args.out), _letter_files([letter], args.format), overwrite=args.overwrite
        )
    return _report_written(args, written)


def _summary(view: RequestView) -> dict[str, Any]:
    data = asdict(view)
    return {
        k: data[k]
        for k in (
            "id",
            "platform",
            "route",
            "state",
            "sent_at",
            "deadline_at",
            "sent_local",
            "deadline_local",
            "ticket_id",
        )
    } | {"time_left": _time_left(view)}


class _CaseOrAction(argparse._SubParsersAction):  # type: ignore[type-arg]
    """'requests CASE' is short for 'requests list CASE'."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values and values[0] not in self._name_parser_map:
            values = ["list", *values]
        super().__call__(parser, namespace, values, option_string)


def _add_requests(commands: Commands) -> None:
    g = commands.group(
        "requests", "removal requests: list (requests CASE), draft, record sending and answers"
    )
    g.__class__ = _CaseOrAction
    g.choices = None  # any first word that is not an action is a case

    p = commands.command(g, "list", cmd_requests_list, "list a case's requests with time left")
    p.add_argument("case", help="case id, id prefix or label")

    p = commands.command(g, "show", cmd_requests_show, "show one request with history and checks")
    _request_arg(p)

    p = commands.command(
        g,
        "draft",
        cmd_requests_draft,
        "draft one letter per platform listing the case's matched pictures (PDF and DOCX)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    add_lazy_choices(
        p, "--route", required=True, choices=LazyChoices(lambda: letters.ROUTE_TEMPLATES)
    )
    p.add_argument("--platform", help="only this platform (name, id or domain)")
    p.add_argument(
        "--url",
        action="append",
        default=[],
        help="also this web address, listed as-is, e.g. a whole page (repeatable)",
    )
    p.add_argument(
        "--item",
        action="append",
        default=[],
        help="also this item (id or id prefix), even without a match (repeatable)",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="draft even what an open request of the same kind already lists",
    )
    _output_options(p, required=False)
    _form_options(p)

    p = commands.command(
        g,
        "sign-off",
        cmd_requests_sign_off,
        "sign off a drafted letter as the case's supervising attorney (clinic cases)",
    )
    _request_arg(p)

    p = commands.command(
        g,
        "sent",
        cmd_requests_sent,
        "record that a request was sent (its letter is dated then), or correct that time",
    )
    _request_arg(p)
    p.add_argument(
        "--at",
        help="when it was sent, e.g. '2026-12-06 14:05' (in --zone, else the clinic's time "
        "zone) or 2026-12-06T19:05Z (default: now). Not before the draft, not in the future "
        "(5 minutes of clock difference are accepted)",
    )
    p.add_argument(
        "--zone",
        help="time zone of --at, e.g. America/New_York (default: the setting "
        "requests.time_zone, else this computer's zone)",
    )
    p.add_argument(
        "--correct",
        action="store_true",
        help="correct the time of a request already marked as sent (needs --at and --reason; "
        "the 48-hour deadline moves; recorded with the old time in the history and audit log)",
    )
    p.add_argument("--reason", help="why the time sent is corrected (with --correct)")

    p = commands.command(g, "ticket", cmd_requests_ticket, "record the platform's reference")
    _request_arg(p)
    p.add_argument("ticket", help="the platform's ticket or reference number")

    p = commands.command(g, "status", cmd_requests_status, "record the platform's answer")
    _request_arg(p)
    add_lazy_choices(p, "status", choices=LazyChoices(lambda: [s.value for s in tracker.SETTABLE]))
    p.add_argument("--note", default="", help="what happened (recorded in the history)")

    p = commands.command(g, "export", cmd_requests_export, "write a request's letters to a folder")
    _request_arg(p)
    _output_options(p)

    for kind, text in (
        ("followup", "follow-up letter for a TAKE IT DOWN request past its 48-hour deadline"),
        ("escalation", "summary for an FTC complaint about a missed 48-hour deadline"),
    ):
        p = commands.command(g, kind, cmd_requests_followup, text)
        p.set_defaults(kind=kind)
        _request_arg(p)
        _output_options(p)
        _form_options(p)


# --- hand-out ----------------------------------------------------------------------------


def cmd_handout(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say

    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise ExportError(f"{out.name} already exists.", "Choose another name, or add --overwrite.")
    fmt = "docx" if out.suffix.lower() == ".docx" else "pdf"
    with opened(args) as vault:
        data = tracker.make_handout(vault, args.case, fmt=fmt, language=args.language)
    tracker.write_files(out.parent, {out.name: data}, overwrite=True)
    if args.json:
        emit_json({"file": str(out)})
    else:
        say(f"Wrote {out}")
    return EXIT_OK


def _add_handout(commands: Commands) -> None:
    p = commands.command(
        commands.sub,
        "handout",
        cmd_handout,
        "write the plain-language hand-out for the person the case is about (PDF or DOCX)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("--out", required=True, help="file to write (.docx for Word, else PDF)")
    p.add_argument(
        "--language",
        choices=("en", "es"),
        default="en",
        help="language of the hand-out: en (English, the default) or es (Spanish)",
    )
    p.add_argument("--overwrite", action="store_true")


# --- evidence packet -----------------------------------------------------------------------


def cmd_packet(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say, warn
    from ncii_desk.services import packets

    with opened(args) as vault, cli_job(args, "Building the packet") as job:
        result = packets.build_packet(
            vault,
            args.case,
            Path(args.out),
            sealed=args.sealed,
            make_zip=args.zip,
            thumbnails=packets.ThumbMode(args.thumbnails),
            timestamp=args.timestamp,
            tsa_server=args.tsa,
            include_notes=args.include_note,
            job=job,
        )
    for text in result.warnings:
        warn(text)
    if result.notes_included:
        warn(
            f"{len(result.notes_included)} advocate note(s) are in the public volume as you "
            "asked; they may be privileged work product."
        )
    if args.json:
        emit_json(result.as_dict())
        return EXIT_OK
    say(f"Packet written to {result.folder}")
    if result.zip_path is not None:
        say(f"ZIP written to {result.zip_path}")
    say(
        f"{result.exhibits} exhibit(s), packet.pdf {result.pdf_pages} pages"
        + (f", signed by {result.signed_by}" if result.signed_by else "")
    )
    if result.sealed_files:
        say(f"Sealed volume: {result.sealed_files} original file(s) in sealed/ - file under seal.")
    say(f"manifest.json SHA-256 {result.manifest_sha256} (recorded in the audit log)")
    say(f"Signed (manifest.sig) by this vault's key {result.signing_key}")
    if result.timestamp is not None:
        say(
            f"Time-stamped (manifest.tst) at {result.timestamp.time_text} by "
            f"{result.timestamp.tsa_name}"
        )
    say("Check it any time with: ncii-desk verify PACKET_FOLDER")
    return EXIT_OK


def _add_packet(commands: Commands) -> None:
    p = commands.command(
        commands.sub,
        "packet",
        cmd_packet,
        "build the civil-claim evidence packet of a case (PDF, hash manifests, optional "
        "sealed volume and ZIP)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("--out", required=True, help="new (or empty) folder to build the packet in")
    p.add_argument("--zip", action="store_true", help="also write FOLDER.zip beside the folder")
    p.add_argument(
        "--sealed",
        action="store_true",
        help="add the original evidence files in sealed/ (to be filed under seal; never for "
        "cases that may involve a person under 18)",
    )
    p.add_argument(
        "--thumbnails",
        choices=["blur", "face", "none"],
        default="blur",
        help="pictures on exhibit pages: heavily blurred (default), face crop only, or none",
    )
    p.add_argument(
        "--timestamp",
        action="store_true",
        help="ask a time-stamp authority (RFC 3161) to stamp the manifest's SHA-256 (sends that "
        "digest over the network; the build fails, leaving no packet, if none is given)",
    )
    p.add_argument(
        "--tsa",
        metavar="URL",
        help="the time-stamp authority to ask (default: the one set with 'clinic tsa')",
    )
    p.add_argument(
        "--include-note",
        action="append",
        default=[],
        metavar="NOTE_ID",
        help="put this advocate note in the public volume ('case' for the case's note, or an "
        "exhibit's item id); repeat per note. Notes may be privileged and are left out by "
        "default",
    )


def cmd_verify(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import EXIT_INTEGRITY, emit_json, opened, say
    from ncii_desk.services import packets

    path = Path(args.packet).expanduser()
    options: dict[str, Any] = {
        "without_sealed": args.without_sealed,
        "expect_key": args.expect_key,
        "tsa_roots": None if args.tsa_roots is None else Path(args.tsa_roots),
    }
    if args.with_vault:
        with opened(args) as vault:
            report = packets.verify_packet(path, vault=vault, **options)
    else:
        report = packets.verify_packet(path, **options)
    if args.json:
        emit_json(report.as_dict())
        return EXIT_OK if report.ok else EXIT_INTEGRITY
    for note in report.notes:
        say(f"note: {note}")
    if report.signature_valid:
        how = (
            "the key you expected"
            if args.expect_key
            else "this vault's key"
            if report.vault_checked
            else "compare it with the clinic's published fingerprint"
        )
        say(f"Signed by key {report.signer} ({how}).")
    stamp = report.timestamp
    if stamp is not None and stamp.ok:
        say(
            f"Time stamp: manifest.json existed at {stamp.time_text} according to "
            f"{stamp.tsa_name} (the token's signature checks with its certificate; {stamp.trust})."
        )
    if report.ok:
        head = report.manifest.audit_head if report.manifest else None
        say(
            f"Packet OK: {report.files_checked} file(s), {report.bytes_checked:,} bytes match "
            "the manifest; nothing missing, nothing extra."
        )
        if report.vault_checked and head is not None:
            say(
                f"The audit-chain head in the packet (event {head.seq}) is on this vault's "
                "chain, and the vault recorded building this packet."
            )
        return EXIT_OK
    say(f"PACKET CHECK FAILED: {len(report.failures)} problem(s)")
    for failure in report.failures:
        say(f"  - {failure.file}: {failure.problem}")
    if report.manifest is None:
        say(
            "This is not a readable NCII Desk evidence packet. Give the packet's folder (the "
            "one holding manifest.json) or its ZIP file."
        )
    else:
        say(
            "Do not rely on this copy. Keep it as it is, and compare it with the copy that was "
            "sent or received; build a new packet with 'ncii-desk packet' if you need one."
        )
    return EXIT_INTEGRITY


def _add_verify(commands: Commands) -> None:
    p = commands.command(
        commands.sub,
        "verify",
        cmd_verify,
        "check an evidence packet (folder or ZIP) against its manifest, offline",
    )
    p.add_argument("packet", help="packet folder or ZIP file")
    p.add_argument(
        "--with-vault",
        action="store_true",
        help="also confirm the packet's audit-chain head against the vault (needs the "
        "passphrase; --vault chooses the vault)",
    )
    p.add_argument(
        "--without-sealed",
        action="store_true",
        help="the sealed/ volume was separated on purpose: do not count it as missing",
    )
    p.add_argument(
        "--expect-key",
        metavar="FINGERPRINT",
        help="fail unless the manifests are signed by the key with this fingerprint (as the "
        "clinic publishes it; 'ncii-desk clinic key' shows a vault's own)",
    )
    p.add_argument(
        "--tsa-roots",
        metavar="PEM",
        help="trusted root certificates the time stamp's authority must chain to",
    )


# --- packet signing --------------------------------------------------------------------------

CERT_PASSWORD_ENV = "NCII_DESK_CERT_PASSWORD"


def _cert_password(args: argparse.Namespace) -> str | None:
    import getpass
    import os
    import sys

    if args.no_password:
        return None
    if args.password_file:
        try:
            return Path(args.password_file).read_text("utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InvalidSetting(
                f"The file {args.password_file} could not be read: {exc.strerror}.",
                "Check the path given with --password-file.",
            ) from None
    if os.environ.get(CERT_PASSWORD_ENV):
        return os.environ[CERT_PASSWORD_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Certificate password: ")
    raise InvalidSetting(
        "No password for the certificate was given and there is no terminal to ask for one.",
        f"Use --password-file FILE, set {CERT_PASSWORD_ENV}, or --no-password.",
    )


def cmd_packet_signing_set(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened, show_record
    from ncii_desk.services import packets

    try:
        data = Path(args.certificate).read_bytes()
    except OSError as exc:
        raise InvalidSetting(
            f"The certificate file {args.certificate} could not be read: {exc.strerror}.",
            "Give the path of the clinic's .p12 or .pfx file.",
        ) from None
    password = _cert_password(args)
    with opened(args) as vault:
        info = packets.configure_signing(
            vault,
            data,
            password,
            reason=args.reason,
            location=args.location,
            contact=args.contact,
        )
    return show_record(args, info.as_dict())


def cmd_packet_signing_show(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say, show_record
    from ncii_desk.services import packets

    with opened(args) as vault:
        status = packets.signing_status(vault)
    if status is None:
        if args.json:
            emit_json(None)
        else:
            say("Packet PDFs are not signed: no clinic certificate is set up.")
        return EXIT_OK
    signer = dict(status.get("signer") or {})
    return show_record(args, signer | {k: v for k, v in status.items() if k != "signer"})


def cmd_packet_signing_clear(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services import packets

    with opened(args) as vault:
        removed = packets.clear_signing(vault)
    if args.json:
        emit_json({"removed": removed})
    else:
        say("The clinic certificate was removed." if removed else "No certificate was set up.")
    return EXIT_OK


def _add_packet_signing(commands: Commands) -> None:
    g = commands.group("packet-signing", "the clinic certificate that signs evidence packet PDFs")
    p = commands.command(
        g,
        "set",
        cmd_packet_signing_set,
        "keep a clinic certificate (PKCS#12 .p12/.pfx) in the vault; later packets are signed",
    )
    p.add_argument("certificate", help="the .p12 or .pfx file with certificate and private key")
    p.add_argument(
        "--password-file", help=f"read its password from this file (or set {CERT_PASSWORD_ENV})"
    )
    p.add_argument("--no-password", action="store_true", help="the file has no password")
    p.add_argument("--reason", default="", help="reason shown with the signature")
    p.add_argument("--location", default="", help="place shown with the signature")
    p.add_argument("--contact", default="", help="contact shown with the signature")
    commands.command(
        g, "show", cmd_packet_signing_show, "show the certificate packets are signed with"
    )
    commands.command(
        g, "clear", cmd_packet_signing_clear, "stop signing packets; remove the certificate"
    )
