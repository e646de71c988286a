"""``ncii-desk item hash-only`` and ``ncii-desk settings``: keeping an item as hashes only,
and the vault's match thresholds (the same ones the desktop app's Settings change)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ncii_desk.lazy import LazyChoices, add_lazy_choices, lazy_module

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands
    from ncii_desk.services import items
    from ncii_desk.services import settings as svc
else:  # loaded on first use, not to start the command line
    items = lazy_module("ncii_desk.services.items")
    svc = lazy_module("ncii_desk.services.settings")


def cmd_item_hash_only(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say, warn

    with opened(args) as vault:
        # who decided: the vault's actor (the common --operator option)
        result = items.mark_hash_only(vault, args.item, args.reason)
    if args.json:
        emit_json(result.as_dict())
        return 0
    if result.already:
        say(f"Item {result.item_id[:12]} was already kept as hashes only; nothing changed.")
    else:
        copies = len(result.switched) - 1
        say(
            f"Item {result.item_id[:12]} is now kept as hashes only (possibly under 18): its "
            "stored file was deleted from the vault; its hashes stay and keep matching."
        )
        if copies:
            say(f"{copies} other item(s) with the same file were switched too.")
        removed = []
        if result.face_references_removed:
            removed.append(f"{result.face_references_removed} picked reference face(s)")
        if result.analyses_removed:
            removed.append(f"{result.analyses_removed} record(s) of face data or picture keypoints")
        if result.archives_removed:
            removed.append(f"the web archive (WARC) of {len(result.archives_removed)} capture(s)")
        if removed:
            say("Also removed: " + "; ".join(removed) + ".")
        say("Recorded in the audit log with the reason given.")
    for text in result.warnings:
        warn(text)
    return 0


def _show(values: svc.Thresholds) -> None:
    from ncii_desk.cli.common import say

    defaults = svc.Thresholds.defaults()
    say(
        f"thresholds.pdq_distance    {values.pdq_distance:<6} (default {defaults.pdq_distance};"
        f" allowed {svc.PDQ_RANGE[0]}-{svc.PDQ_RANGE[1]}: same picture if the PDQ distance is"
        " at most this)"
    )
    say(
        f"thresholds.face_similarity {values.face_similarity:<6} (default "
        f"{defaults.face_similarity}; allowed {svc.FACE_RANGE[0]}-{svc.FACE_RANGE[1]}: same "
        "face if the similarity is at least this)"
    )


def _show_requests(values: svc.RequestSettings) -> None:
    from ncii_desk.cli.common import say

    zone = values.time_zone or f"(this computer's zone: {values.zone_name})"
    say(f"requests.time_zone         {zone} (deadlines and letter dates are shown in it)")
    say(
        f"requests.followup_recheck_max_age_hours {values.followup_recheck_max_age_hours} "
        f"(default {svc.FOLLOWUP_RECHECK_DEFAULT_HOURS}; a follow-up says the content is still "
        "up only after a re-check this recent)"
    )


def _report(args: argparse.Namespace, values: svc.Thresholds, requests: svc.RequestSettings) -> int:
    from ncii_desk.cli.common import emit_json, warn

    if args.json:
        defaults = svc.Thresholds.defaults().as_dict()
        emit_json(
            {
                "thresholds": values.as_dict(),
                "defaults": defaults,
                "requests": requests.as_dict() | {"zone_in_use": requests.zone_name},
                "warnings": values.warnings + requests.warnings,
            }
        )
        return 0
    _show(values)
    _show_requests(requests)
    for text in values.warnings + requests.warnings:
        warn(text)
    return 0


def cmd_settings_show(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened

    with opened(args) as vault:
        values = svc.thresholds(vault)
        requests = svc.request_settings(vault)
    return _report(args, values, requests)


def cmd_settings_set(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened

    if args.name == svc.ALLOW_PRIVATE_NAME:
        return _set_capture(args)
    with opened(args) as vault:
        if args.name.startswith("requests."):
            svc.set_request_setting(vault, args.name, args.value)
        else:
            svc.set_threshold(vault, args.name, args.value)
        values = svc.thresholds(vault)
        requests = svc.request_settings(vault)
    return _report(args, values, requests)


def _set_capture(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say

    with opened(args) as vault:
        allowed = svc.set_capture_allows_private(vault, args.value)
    if args.json:
        emit_json({svc.ALLOW_PRIVATE_NAME: allowed})
    else:
        say(f"{svc.ALLOW_PRIVATE_NAME} {'true' if allowed else 'false'}")
    return 0


def cmd_settings_reset(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import opened

    with opened(args) as vault:
        values = svc.reset_thresholds(vault)
        requests = svc.request_settings(vault)
    return _report(args, values, requests)


def register(commands: Commands) -> None:
    p = commands.command(
        commands.groups["item"],
        "hash-only",
        cmd_item_hash_only,
        "keep an item as hashes only (it may show a person under 18): its stored file is "
        "deleted, its hashes stay (recorded in the audit log)",
    )
    p.add_argument("item", help="item id or id prefix")
    p.add_argument("--reason", required=True, help="why (recorded in the audit log)")

    group = commands.group(
        "settings", "show and change the vault's match thresholds and request settings"
    )
    commands.command(group, "show", cmd_settings_show, "show the settings in use")
    p = commands.command(group, "set", cmd_settings_set, "change one setting")
    add_lazy_choices(
        p,
        "name",
        choices=LazyChoices(
            lambda: (
                [f"thresholds.{n}" for n in svc.NAMES]
                + [svc.ALLOW_PRIVATE_NAME]
                + [f"requests.{n}" for n in svc.REQUEST_NAMES]
            )
        ),
    )
    p.add_argument("value", help="the new value")
    commands.command(group, "reset", cmd_settings_reset, "restore the default thresholds")
