"""Finding a record from a typed id: the full id, a unique start of it, or a clear error."""

from __future__ import annotations

import pytest

from ncii_desk.errors import AmbiguousName, CaseNotFound
from ncii_desk.services.lookup import by_id
from ncii_desk.vault.models import Case
from ncii_desk.vault.store import CaseStore

IDS = ("abcdef0123456789abcdef0123456789", "abcdef9876543210abcdef9876543210")


def test_full_id_unique_start_ambiguous_start_and_unknown(store: CaseStore) -> None:
    with store.transaction() as s:
        for n, case_id in enumerate(IDS):
            s.add(Case(id=case_id, label=f"Case {n}"))
    missing = CaseNotFound("No such case.")
    with store.session() as s:
        assert by_id(s, Case, f"  {IDS[0].upper()} ", what="case", missing=missing).id == IDS[0]
        assert by_id(s, Case, "abcdef98", what="case", missing=missing).id == IDS[1]
        with pytest.raises(AmbiguousName, match="2 cases start with 'abcdef'") as err:
            by_id(s, Case, "abcdef", what="case", missing=missing)
        assert "more characters of the case id" in err.value.hint
        for ref in ("abcde", "abcd_f", "abcdef%", "0000000"):  # too short, LIKE wildcards, none
            with pytest.raises(CaseNotFound) as nf:
                by_id(s, Case, ref, what="case", missing=missing)
            assert nf.value is missing
