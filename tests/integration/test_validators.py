"""Validators: no letter without the elements the law (or the platform) requires."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.letters import Depiction, LetterForm, Sender, build_letters
from ncii_desk.documents.validators import ELEMENTS, MissingElements, check
from ncii_desk.errors import NciiDeskError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URLS = [Depiction("https://www.reddit.com/r/a/comments/1")]
#: The same address as a copy a DMCA notice may list (confirmed pixel match to an original
#: marked as the client's).
DMCA_URLS = [replace(URLS[0], dmca="ok")]


def good_form() -> LetterForm:
    return LetterForm(
        sender=Sender(
            name="Ana Advocate",
            email="ana@clinic.example",
            representative=True,
            authority="Written authorisation from the person depicted, dated 2026-05-30.",
        ),
        signature="/s/ Ana Advocate",
        person_name="Jane Roe",
        good_faith=True,
        work="A selfie taken by Jane Roe.",
        copyright_owner=True,
        accuracy=True,
        covered_platform="yes",
    )


def no_contact(form: LetterForm) -> LetterForm:
    return replace(form, sender=replace(form.sender, email="", phone="", address=""))


TAKEDOWN_BREAKS = {
    "signature": lambda f: replace(f, signature=""),
    "good_faith": lambda f: replace(f, good_faith=False),
    "contact": no_contact,
}


def test_complete_takedown_passes() -> None:
    check("takedown", good_form(), URLS)
    letters = build_letters("takedown", good_form(), URLS, forms=load_forms(), now=NOW)
    assert len(letters) == 1


@pytest.mark.parametrize("element", sorted(TAKEDOWN_BREAKS))
def test_takedown_names_each_missing_element(element: str) -> None:
    form = TAKEDOWN_BREAKS[element](good_form())
    with pytest.raises(MissingElements) as caught:
        build_letters("takedown", form, URLS, forms=load_forms(), now=NOW)
    assert caught.value.missing == [element]
    assert ELEMENTS[element].label in caught.value.message
    assert "TAKE IT DOWN Act removal request" in caught.value.message


def test_takedown_without_any_location_names_it() -> None:
    with pytest.raises(MissingElements) as caught:
        check("takedown", good_form(), [])
    assert caught.value.missing == ["location"]
    assert "identification and location of each depiction" in caught.value.message
    with pytest.raises(MissingElements) as caught:
        check("takedown", good_form(), [Depiction(url=" ")])
    assert caught.value.missing == ["location"]


def test_every_depiction_needs_an_address_and_those_without_are_named() -> None:
    located = Depiction("https://i.redd.it/a.jpg", page_url="https://www.reddit.com/r/a/1")
    by_id = Depiction("", content_id="tiktok:7301", label="item 0123456789ab")
    check("takedown", good_form(), [located, by_id])  # a content ID locates it too
    nowhere = [Depiction("", label="item aaaaaaaaaaaa"), Depiction(" "), located]
    for validator in ("takedown", "dmca", "ncmec"):
        listed = [replace(d, dmca="ok") for d in nowhere] if validator == "dmca" else nowhere
        with pytest.raises(MissingElements) as caught:
            check(validator, good_form(), listed)
        assert caught.value.missing == ["location"], validator
        assert "no web address for item aaaaaaaaaaaa, depiction 2" in caught.value.message
        assert "capture the page" in caught.value.hint


def test_all_four_missing_are_named_together() -> None:
    form = no_contact(replace(good_form(), signature="/s/ ", good_faith=False))
    with pytest.raises(MissingElements) as caught:
        check("takedown", form, [])
    assert caught.value.missing == ["signature", "location", "good_faith", "contact"]
    for key in caught.value.missing:
        assert ELEMENTS[key].label in caught.value.message
        assert ELEMENTS[key].hint in caught.value.hint
    assert isinstance(caught.value, NciiDeskError)
    assert caught.value.as_dict()["missing"] == "signature, location, good_faith, contact"


def test_a_bare_signature_prefix_is_not_a_signature() -> None:
    with pytest.raises(MissingElements) as caught:
        check("takedown", replace(good_form(), signature="  /S/   "), URLS)
    assert caught.value.missing == ["signature"]


def test_representative_must_state_authority() -> None:
    form = replace(good_form(), sender=replace(good_form().sender, authority="  "))
    for validator in ("takedown", "dmca", "preservation", "deindex", "ncii-report"):
        with pytest.raises(MissingElements) as caught:
            check(validator, form, DMCA_URLS if validator == "dmca" else URLS)
        assert caught.value.missing == ["authority"]
        assert "authority to act" in caught.value.message
    myself = replace(
        good_form(), sender=replace(good_form().sender, representative=False, authority="")
    )
    check("takedown", myself, URLS)


DMCA_BREAKS = {
    "signature": lambda f: replace(f, signature=""),
    "work": lambda f: replace(f, work=" "),
    "contact": no_contact,
    "dmca_good_faith": lambda f: replace(f, good_faith=False),
    "accuracy": lambda f: replace(f, accuracy=False),
}


@pytest.mark.parametrize("element", sorted(DMCA_BREAKS))
def test_dmca_names_each_missing_element(element: str) -> None:
    with pytest.raises(MissingElements) as caught:
        build_letters(
            "dmca", DMCA_BREAKS[element](good_form()), DMCA_URLS, forms=load_forms(), now=NOW
        )
    assert caught.value.missing == [element]
    assert ELEMENTS[element].label in caught.value.message
    assert "DMCA notice" in caught.value.message


def test_dmca_location_and_all_six() -> None:
    with pytest.raises(MissingElements) as caught:
        check("dmca", good_form(), [])
    assert caught.value.missing == ["location"]
    bare = no_contact(replace(good_form(), signature="", work="", good_faith=False, accuracy=False))
    with pytest.raises(MissingElements) as caught:
        check("dmca", bare, [])
    assert caught.value.missing == [
        "signature",
        "work",
        "location",
        "contact",
        "dmca_good_faith",
        "accuracy",
    ]


def test_dmca_only_when_the_person_owns_the_copyright() -> None:
    with pytest.raises(MissingElements) as caught:
        check("dmca", replace(good_form(), copyright_owner=False), DMCA_URLS)
    assert caught.value.missing == ["copyright_owner"]
    assert "owns the copyright" in caught.value.message


def test_platform_that_requires_a_legal_name() -> None:
    discord = [Depiction("https://discord.com/channels/1/2/3")]
    with pytest.raises(MissingElements) as caught:
        build_letters(
            "takedown", replace(good_form(), person_name=""), discord, forms=load_forms(), now=NOW
        )
    assert caught.value.missing == ["legal_name"]
    assert "legal name" in caught.value.message
    # Reddit does not ask for it.
    build_letters(
        "takedown", replace(good_form(), person_name=""), URLS, forms=load_forms(), now=NOW
    )


def test_dmca_refuses_every_picture_that_is_not_a_client_owned_copy() -> None:
    """Whatever the caller passes, a DMCA notice lists only depictions the tracker marked
    as confirmed pixel copies of a client-owned original; each other one is named."""
    face = Depiction(
        "https://i.redd.it/face.jpg",
        label="item face00000000",
        dmca="DMCA: only a face match, not a copy of the client's own picture",
    )
    pending = Depiction(
        "https://i.redd.it/pending.jpg",
        dmca="DMCA: its match to the client's original is not confirmed by a reviewer yet",
    )
    unchecked = Depiction("https://i.redd.it/unchecked.jpg")
    with pytest.raises(MissingElements) as caught:
        build_letters(
            "dmca", good_form(), [*DMCA_URLS, face, pending, unchecked], forms=load_forms(), now=NOW
        )
    assert caught.value.missing == ["copyright_copies"]
    message = caught.value.message
    assert "item face00000000: only a face match" in message
    assert "https://i.redd.it/pending.jpg: its match to the client's original is not" in message
    assert "https://i.redd.it/unchecked.jpg: no confirmed copy of an original" in message
    assert "reddit.com/r/a/comments/1" not in message  # the allowed one is not named
    assert "TAKE IT DOWN" in caught.value.hint and "512(f)" in caught.value.hint
