"""Command-line polish: shell completion from the parser, hints that name the real case,
and every error on standard error."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest
from clikit import Cli
from PIL import Image

from ncii_desk import cmdline
from ncii_desk.cli.completion import SHELLS, command_tree, paths
from ncii_desk.cli.main import build_parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Command path -> its sub-commands, read straight from argparse (independently)."""
    found: dict[str, list[str]] = {}

    def walk(p: argparse.ArgumentParser, path: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                found[path] = list(action._name_parser_map)
                for name, sub in action._name_parser_map.items():
                    walk(sub, f"{path} {name}".strip())

    walk(parser, "")
    return found


def test_completion_scripts_name_every_command(cli: Cli) -> None:
    expected = _subcommands(build_parser())
    assert {"models", "completion", "requests", "capture"} <= set(expected[""])
    assert set(expected["models"]) == {"list", "install", "verify", "evaluate", "validations"}
    for shell in SHELLS:
        result = cli("completion", shell)
        assert result.rc == 0 and result.err == ""
        for commands in expected.values():
            for name in commands:
                assert name in result.out, f"{shell}: {name}"
    tree = paths(command_tree(build_parser()))
    assert "--from" in tree["models install"].options


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_actions_and_options(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "ncii-desk.bash"
    script.write_text(cli("completion", "bash").out, "utf-8")
    expected = _subcommands(build_parser())

    def complete(*words: str) -> list[str]:
        quoted = " ".join(f"'{w}'" for w in words)
        code = (
            f"source '{script}'; COMP_WORDS=(ncii-desk {quoted}); "
            f"COMP_CWORD={len(words)}; _ncii_desk; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        )
        out = subprocess.run(
            ["bash", "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
        ).stdout
        return [w for w in out.splitlines() if w]

    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    assert complete("") == expected[""]  # every subcommand, in the parser's order
    for group, actions in expected.items():
        if group and " " not in group:
            assert complete(group, "")[: len(actions)] == actions, group
    assert complete("mod") == ["models"]
    assert complete("models", "install", "--f") == ["--from"]
    assert complete("add", "") == ["original", "reference", "suspect"]
    # A case label typed in between does not lose the place.
    assert "--route" in complete("requests", "draft", "Case 2026-014", "--ro")
    assert complete("completion", "") == list(SHELLS)


def test_command_quoting_for_each_shell() -> None:
    assert cmdline.arg("Case 2026-014", windows=False) == "'Case 2026-014'"
    assert cmdline.arg("Case 2026-014", windows=True) == '"Case 2026-014"'
    assert cmdline.arg("it's", windows=False) == "'it'\"'\"'s'"
    assert cmdline.arg("abc123", windows=False) == "abc123"
    assert cmdline.command("matches", "x y").startswith("ncii-desk matches ")


def test_hints_name_the_case_instead_of_a_placeholder(
    cli: Cli, cli_vault: Path, tmp_path: Path
) -> None:
    label = "Case 2026-014"
    shown = cmdline.arg(label)
    assert cli("case", "new", label, "--pseudonym", "Client A").rc == 0
    photo = tmp_path / "beach.png"
    Image.new("RGB", (320, 240), (30, 120, 200)).save(photo)
    added = cli("add", "original", label, str(photo))
    assert added.rc == 0, added.err
    assert f"See them with: ncii-desk matches {shown}" in added.out
    assert "CASE" not in added.out
    faces = cli("faces", "list", label)
    assert f"Add one with: ncii-desk add reference {shown} FILE" in faces.out
    requests = cli("requests", label)
    assert f"ncii-desk requests draft {shown} --route takedown" in requests.out
    # Errors about an item name the item's case in their hints.
    suspect = tmp_path / "found.png"
    Image.new("RGB", (320, 240), (200, 60, 20)).save(suspect)
    assert cli("add", "suspect", label, str(suspect)).rc == 0
    listed = cli("item", "list", label, "--role", "suspect", "--json").json()
    suspect_id = listed[0]["id"][:12]
    picked = cli("faces", "pick", suspect_id, "1")
    assert picked.rc != 0 and picked.out == ""
    assert f"ncii-desk faces list {shown}" in picked.err
    marked = cli("item", "copyright", suspect_id, "--taken-by", "client")
    assert marked.rc != 0 and marked.out == ""
    assert f"ncii-desk item list {shown} --role original" in marked.err


def test_errors_go_to_standard_error(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    failing = [
        ("case", "show", "No Such Case"),
        ("item", "list", "No Such Case"),
        ("matches", "No Such Case"),
        ("requests", "No Such Case"),
        ("capture", "list", "No Such Case"),
        ("hash", str(tmp_path / "missing.png")),
        ("models", "install", "--from", str(tmp_path / "nowhere")),
        ("packet", "No Such Case", "--out", str(tmp_path / "p")),
        ("analyze", "No Such Case"),
        ("hashlist", "import", str(tmp_path / "missing.txt")),
    ]
    for argv in failing:
        result = cli(*argv)
        assert result.rc != 0, argv
        assert "error:" in result.err, argv
        assert "error" not in result.out.lower(), (argv, result.out)
    # Usage mistakes are argparse's: also on standard error, never on standard output.
    usage = cli("models", "install")
    assert usage.rc == 2 and usage.out == "" and "--from" in usage.err
