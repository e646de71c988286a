"""Broader fuzz of the letters: random hostile values in every field, many rounds.

tests/integration/test_document_fuzz.py builds each document a handful of times; this builds
letters for every route template with random values (lengths up to --max-len, characters
drawn from controls, bidi controls, markup, RTL, CJK, surrogate-free Unicode and URL
punctuation) and prints how many built, how many failed (with the first errors) and how many
PDFs held a raw control or bidi character.

    .venv/bin/python bench/document_fuzz.py --rounds 30 --max-len 20000 --seed 1
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import UTC, datetime

import pypdf

from ncii_desk.documents.common import BIDI_CONTROLS
from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.letters import Depiction, LetterForm, Sender, build_letters

TEMPLATES = ("takedown", "ncii_report", "dmca", "preservation", "deindex", "ncmec")
PIECES = (
    [chr(c) for c in range(0, 32)]
    + sorted(BIDI_CONTROLS)
    + ["<b>", "</para>", "&amp;", "{{ x }}", "{% if %}", "%s", "<br/>", "]]>", "<"]
    + list("مرحبا שלום 你好 ÄÖÜ€ /?&=#%:;")
    + ["\r\n", "\n", "\t", "\x7f", "\x85", "\ufeff", "\u200b"]
)


def value(rng: random.Random, max_len: int) -> str:
    length = rng.choice([0, 1, 10, 100, 2_000, 5_000, max_len])
    parts: list[str] = []
    size = 0
    while size < length:
        piece = rng.choice(PIECES) if rng.random() < 0.3 else "abcdefgh"[: rng.randint(1, 8)]
        parts.append(piece)
        size += len(piece)
    return "".join(parts)[:length]


def url(rng: random.Random, host: str, max_len: int) -> str:
    return f"https://{host}/" + value(rng, max_len)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--max-len", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    forms = load_forms()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    built = failed = unsafe = 0
    errors: list[str] = []
    start = time.perf_counter()
    for _ in range(args.rounds):
        form = LetterForm(
            sender=Sender(
                name=value(rng, args.max_len) or "n",
                email=value(rng, args.max_len) or "e@x.example",
                address=value(rng, args.max_len),
                organisation=value(rng, args.max_len),
                representative=True,
                authority=value(rng, args.max_len) or "a",
            ),
            signature=value(rng, args.max_len) or "s",
            person_name=value(rng, args.max_len),
            good_faith=True,
            statement=value(rng, args.max_len),
            work=value(rng, args.max_len) or "w",
            copyright_owner=True,
            accuracy=True,
            reference=value(rng, args.max_len),
        )
        depictions = [
            Depiction(
                url(rng, "www.reddit.com", args.max_len),
                final_url=url(rng, "i.redd.it", args.max_len),
                page_url=url(rng, "www.reddit.com", args.max_len),
                content_id=value(rng, args.max_len),
            ),
            Depiction(url(rng, "www.google.com", args.max_len)),
        ]
        for template in TEMPLATES:
            try:
                for letter in build_letters(template, form, depictions, forms=forms, now=now):
                    pdf = letter.pdf()
                    letter.docx()
                    reader = pypdf.PdfReader(io.BytesIO(pdf))
                    text = "".join(p.extract_text() for p in reader.pages)
                    if any(ch in text for ch in BIDI_CONTROLS) or "\x00" in text:
                        unsafe += 1
                    built += 1
            except Exception as exc:  # every failure is counted and shown
                failed += 1
                if len(errors) < 5:
                    errors.append(f"{template}: {type(exc).__name__}: {str(exc)[:200]}")
    took = time.perf_counter() - start
    print(f"rounds {args.rounds}, seed {args.seed}, max length {args.max_len}")
    print(f"letters built (PDF + DOCX): {built}, failed: {failed}, unsafe text: {unsafe}")
    print(f"time: {took:.1f} s ({took / max(1, built + failed):.2f} s per letter)")
    for line in errors:
        print("  " + line)
    return 0 if failed == 0 and unsafe == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
