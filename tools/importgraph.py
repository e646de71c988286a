"""Print the layer picture of ncii_desk from the import contract, for docs/architecture.md.

    .venv/bin/python tools/importgraph.py            # the rules as a picture
    .venv/bin/python tools/importgraph.py --check    # and every violation found (exit 1 if any)
    .venv/bin/python tools/importgraph.py --edges    # and the edges between layers, counted

The rules are the data in tests/architecture/importrules.py, the same the contract test
(tests/architecture/test_import_contract.py) enforces, so the picture cannot drift from it.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "architecture"))

import importrules as rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="also list every violation")
    parser.add_argument("--edges", action="store_true", help="also count edges between layers")
    args = parser.parse_args(argv)
    print(rules.picture())
    if args.edges:
        edges, _ = rules.build_graph()
        counts = collections.Counter(
            (rules.layer_of(e.source), rules.layer_of(e.target)) for e in edges
        )
        print()
        print("Imports between layers (statements, any kind):")
        for (src, dst), n in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            print(f"  {src} -> {dst}: {n}")
    if args.check:
        found = rules.all_violations()
        print()
        print(f"{len(found)} violation(s)")
        for line in found:
            print("  " + line)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
