"""``ncii-desk completion bash|zsh|fish|powershell``: shell completion made from the parser.

The command tree (every command, sub-command, option and fixed positional choice) is read from
the same argparse parser the command line uses, so a command added anywhere completes without
touching this module. Each shell gets a small script with that tree written into it as data
and a few lines that walk the words typed so far.

Install (once per user):
  bash:        ncii-desk completion bash > ~/.local/share/bash-completion/completions/ncii-desk
  zsh:         ncii-desk completion zsh > "${fpath[1]}/_ncii-desk"
  fish:        ncii-desk completion fish > ~/.config/fish/completions/ncii-desk.fish
  PowerShell:  ncii-desk completion powershell >> $PROFILE
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

SHELLS = ("bash", "zsh", "fish", "powershell")
PROG = "ncii-desk"


@dataclass
class Node:
    """One command level: its sub-commands, options, and the choices of its positionals."""

    commands: dict[str, Node] = field(default_factory=dict)
    options: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


def command_tree(parser: argparse.ArgumentParser) -> Node:
    node = Node()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action._name_parser_map.items():
                node.commands[name] = command_tree(sub)
        elif action.option_strings:
            node.options += [o for o in action.option_strings if o.startswith("--")]
        elif action.choices:
            node.values += [str(c) for c in action.choices]
    node.options = sorted(set(node.options))
    return node


def paths(node: Node, prefix: tuple[str, ...] = ()) -> dict[str, Node]:
    """Every node by its command path joined with spaces ("" for the top level)."""
    out = {" ".join(prefix): node}
    for name, child in node.commands.items():
        out.update(paths(child, (*prefix, name)))
    return out


def _words(node: Node) -> list[str]:
    return [*node.commands, *node.values]


def _sh_quote(words: list[str]) -> str:
    return " ".join(w.replace("'", "") for w in words)


def bash_script(tree: Node) -> str:
    table = paths(tree)
    cases_words = "\n".join(
        f"        '{path}') words='{_sh_quote(_words(n))}'; opts='{_sh_quote(n.options)}' ;;"
        for path, n in table.items()
    )
    cases_kids = "\n".join(
        f"            '{path}') kids='{_sh_quote(list(n.commands))}' ;;"
        for path, n in table.items()
        if n.commands
    )
    return f"""# bash completion for {PROG} (made by '{PROG} completion bash')
_ncii_desk() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word kids words opts i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        [[ "$word" == -* ]] && continue
        kids=""
        case "$path" in
{cases_kids}
        esac
        if [[ " $kids " == *" $word "* ]]; then
            path="${{path:+$path }}$word"
        fi
    done
    words=""; opts=""
    case "$path" in
{cases_words}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        [[ ${{#COMPREPLY[@]}} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}}
complete -o filenames -F _ncii_desk {PROG}
"""


def zsh_script(tree: Node) -> str:
    table = paths(tree)
    kids = "\n".join(
        f"  kids[{_zsh_key(p)}]='{_sh_quote(list(n.commands))}'"
        for p, n in table.items()
        if n.commands
    )
    words = "\n".join(
        f"  words_at[{_zsh_key(p)}]='{_sh_quote(_words(n))}'" for p, n in table.items()
    )
    opts = "\n".join(f"  opts_at[{_zsh_key(p)}]='{_sh_quote(n.options)}'" for p, n in table.items())
    return f"""#compdef {PROG}
# zsh completion for {PROG} (made by '{PROG} completion zsh')
_ncii_desk() {{
  local -A kids words_at opts_at
{kids}
{words}
{opts}
  local path_key="_" word i
  for ((i = 2; i < CURRENT; i++)); do
    word="${{words[i]}}"
    [[ "$word" == -* ]] && continue
    if [[ " ${{kids[$path_key]}} " == *" $word "* ]]; then
      path_key="${{path_key}}/$word"
    fi
  done
  if [[ "${{words[CURRENT]}}" == -* ]]; then
    compadd -- ${{=opts_at[$path_key]}}
  else
    compadd -- ${{=words_at[$path_key]}}
    _files
  fi
}}
compdef _ncii_desk {PROG}
"""


def _zsh_key(path: str) -> str:
    return "'_" + "".join(f"/{p}" for p in path.split()) + "'"


def _fish_var(path: str) -> str:
    key = "_".join(path.split()).replace("-", "_")
    return f"__ncii_desk_kids{'_' + key if key else ''}"


def fish_script(tree: Node) -> str:
    table = paths(tree)
    lines = [
        f"# fish completion for {PROG} (made by '{PROG} completion fish')",
        f"complete -c {PROG} -e",
    ]
    for path, n in table.items():
        if n.commands:
            lines.append(f"set -g {_fish_var(path)} {' '.join(n.commands)}")
    lines += [
        "function __ncii_desk_path",
        "    set -l path",
        "    for word in (commandline -opc)[2..-1]",
        "        string match -q -- '-*' $word; and continue",
        "        set -l var __ncii_desk_kids",
        "        if test (count $path) -gt 0",
        "            set var $var'_'(string join _ $path | string replace -a - _)",
        "        end",
        "        if set -q $var; and contains -- $word $$var",
        "            set path $path $word",
        "        end",
        "    end",
        '    string join " " $path',
        "end",
    ]
    for path, n in table.items():
        condition = f"test (__ncii_desk_path) = '{path}'"
        if _words(n):
            lines.append(f"complete -c {PROG} -f -n \"{condition}\" -a '{_sh_quote(_words(n))}'")
        for option in n.options:
            lines.append(f'complete -c {PROG} -n "{condition}" -l {option[2:]}')
    return "\n".join(lines) + "\n"


def powershell_script(tree: Node) -> str:
    table = paths(tree)
    data = {
        p: {"kids": list(n.commands), "words": _words(n), "opts": n.options}
        for p, n in table.items()
    }
    encoded = json.dumps(data, separators=(",", ":")).replace("'", "''")
    return f"""# PowerShell completion for {PROG} (made by '{PROG} completion powershell')
Register-ArgumentCompleter -Native -CommandName '{PROG}', '{PROG}.exe' -ScriptBlock {{
    param($wordToComplete, $commandAst, $cursorPosition)
    $tree = ConvertFrom-Json '{encoded}'
    $path = ''
    $elements = $commandAst.CommandElements | Select-Object -Skip 1
    foreach ($element in $elements) {{
        $word = $element.ToString()
        if ($element.Extent.StartOffset -ge $cursorPosition) {{ break }}
        if ($word -eq $wordToComplete) {{ continue }}
        if ($word.StartsWith('-')) {{ continue }}
        $node = $tree.PSObject.Properties[$path].Value
        if ($node -and ($node.kids -contains $word)) {{
            $path = if ($path) {{ "$path $word" }} else {{ $word }}
        }}
    }}
    $node = $tree.PSObject.Properties[$path].Value
    $candidates = if ($wordToComplete.StartsWith('-')) {{ $node.opts }} else {{ $node.words }}
    $candidates | Where-Object {{ $_ -like "$wordToComplete*" }} | ForEach-Object {{
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }}
}}
"""


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    tree = command_tree(parser)
    makers = {
        "bash": bash_script,
        "zsh": zsh_script,
        "fish": fish_script,
        "powershell": powershell_script,
    }
    return makers[shell](tree)


def cmd_completion(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell, args.root))
    return 0


def register(commands: Commands) -> None:
    """Add ``ncii-desk completion SHELL``."""
    p = commands.command(
        commands.sub,
        "completion",
        cmd_completion,
        "print the shell completion script for bash, zsh, fish or PowerShell "
        "(e.g. ncii-desk completion bash > ~/.local/share/bash-completion/completions/ncii-desk)",
        json_opt=False,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(root=commands.root)  # the whole tree, without importing main
