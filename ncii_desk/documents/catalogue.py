"""Every document string that the documents catalogue (ncii_desk/i18n/documents_<lang>.ts)
translates, as (context, text): the client hand-out, and the covered-platform question the
Draft letters dialog asks (its words come from documents/covered.py, so they share this
catalogue with the documents)."""

from __future__ import annotations

from ncii_desk.documents import covered
from ncii_desk.documents.forms import Forms
from ncii_desk.documents.handout import document_sources as handout_sources

COVERED_CONTEXT = "Covered"


def document_sources(forms: Forms | None = None) -> list[tuple[str, str]]:
    covered_texts = [covered.QUESTION, covered.DEFINITION, *covered.ANSWER_WORDS.values()]
    return [*handout_sources(forms), *((COVERED_CONTEXT, t) for t in covered_texts)]
