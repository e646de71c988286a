"""The plain-language summary of an item's findings (ncii_desk.vision.summary)."""

from __future__ import annotations

import re

from ncii_desk.vision.signals import Signal, Strength
from ncii_desk.vision.summary import CLOSING, MANIPULATION_LIMITS, kind_label, summarise

FACE = Signal(
    "face_match",
    "A face in this image resembles the victim's reference photo: similarity 0.72.",
    Strength.MODERATE,
    "A face match is a lead, not an identification.",
    {"best_similarity": 0.72},
)
DEEPFAKE = Signal(
    "deepfake_score",
    "The manipulation classifier 'meso4-df' rates face 1 as looking manipulated: 0.81.",
    Strength.WEAK,
    "It learned from 2018 face-swap videos.",
    {"max": 0.81},
)
SOURCE = Signal(
    "derivation",
    "Made from original 3fa2c1: 82% of the image matches it; a region covering 9% differs.",
    Strength.STRONG,
    "Shows that and where the image differs, not who edited it.",
    {"matched_share": 0.82},
)
NO_METADATA = Signal(
    "generator_metadata",
    "No generator information was found in the file.",
    Strength.NONE,
    "Metadata is easily removed; its absence proves nothing.",
)


def test_findings_are_ordered_strongest_first_and_kept_whole() -> None:
    summary = summarise([NO_METADATA, DEEPFAKE, FACE, SOURCE])
    # an unvalidated classifier's score comes last, after every finding
    assert [f.kind for f in summary.findings] == [
        "derivation",
        "face_match",
        "generator_metadata",
        "deepfake_score",
    ]
    # every finding keeps its own sentence, strength, caveat and numbers
    assert list(summary.findings) == [SOURCE, FACE, NO_METADATA, DEEPFAKE]
    data = summary.as_dict()
    assert [f["strength"] for f in data["findings"]] == ["strong", "moderate", "none", "weak"]
    assert [f["unvalidated"] for f in data["findings"]] == [False, False, False, True]
    assert data["findings"][0]["caveat"] == SOURCE.caveat
    assert data["findings"][0]["value"] == {"matched_share": 0.82}
    assert data["findings"][1]["label"] == kind_label("face_match")
    assert data["counts"] == {"strong": 1, "moderate": 1, "weak": 0, "none": 1, "unvalidated": 1}


def test_equal_strength_keeps_kind_order_then_input_order() -> None:
    second_face = Signal("face_match", "Another face.", Strength.WEAK, "c")
    unknown = Signal("odd_new_check", "Something new.", Strength.WEAK, "c")
    summary = summarise([unknown, second_face, DEEPFAKE])
    assert [f.finding for f in summary.findings] == [
        "Another face.",
        "Something new.",
        DEEPFAKE.finding,
    ]
    assert kind_label("odd_new_check") == "odd new check"


def test_overview_names_each_finding_with_its_strength_and_never_a_combined_score() -> None:
    summary = summarise([DEEPFAKE, FACE, SOURCE, NO_METADATA])
    text = summary.overview
    assert text.startswith("2 checks reported a finding.")
    assert "The strongest (strong, from the comparison with the victim's original photos)" in text
    assert SOURCE.finding.rstrip(".") in text
    assert "face comparison with the victim's reference photos (moderate)" in text
    assert "manipulation classifier (weak)" not in text  # unvalidated: never a finding
    assert "Weak or unvalidated signals, not counted as findings" in text
    assert "No finding from the generator information in the file" in text
    assert text.endswith(CLOSING)
    assert "not combined into one score" in text
    # The only numbers in the overview are those quoted inside the strongest finding.
    outside = text.replace(SOURCE.finding.rstrip("."), "").replace(MANIPULATION_LIMITS, "")
    assert re.findall(r"\d", outside) == ["2"]
    assert "score" not in summary.as_dict()


def test_overview_when_nothing_was_found_or_nothing_ran() -> None:
    quiet = summarise([NO_METADATA])
    assert quiet.overview.startswith("No check reported a finding about this item.")
    assert "generator information in the file" in quiet.overview
    assert quiet.findings == (NO_METADATA,)

    single = summarise([FACE])
    assert single.overview.startswith("1 check reported a finding.")
    assert "Also reported" not in single.overview

    empty = summarise([])
    assert empty.findings == ()
    assert "Run the analysis" in empty.overview
    assert empty.as_dict()["counts"] == {
        "strong": 0,
        "moderate": 0,
        "weak": 0,
        "none": 0,
        "unvalidated": 0,
    }


FALSE_ALARM = Signal(
    "deepfake_score",
    "The manipulation classifier 'meso4-df' rates face 1 as looking manipulated: 0.99.",
    Strength.WEAK,
    "It learned from 2018 face-swap videos.",
    {"max": 0.99, "model": "meso4-df", "validated": False},
)


def test_an_unvalidated_classifier_score_never_headlines_the_summary() -> None:
    for signals in ([FALSE_ALARM, NO_METADATA], [FALSE_ALARM], [DEEPFAKE, FALSE_ALARM]):
        text = summarise(signals).overview
        assert text.startswith("No check reported a finding about this item.")
        assert "0.99" not in text and "0.81" not in text
        assert "looking manipulated" not in text
        assert "Weak or unvalidated signals, not counted as findings" in text
        assert "'meso4-df'" in text
    # with a real finding the headline is that finding, never the classifier's score
    text = summarise([FALSE_ALARM, FACE]).overview
    assert text.startswith("1 check reported a finding. The strongest (moderate, from the face")
    assert "0.99" not in text


def test_a_validated_classifier_may_be_a_finding() -> None:
    validated = Signal(
        "deepfake_score",
        "The manipulation classifier 'clinic-df' rates face 1 as looking manipulated: 0.97.",
        Strength.MODERATE,
        "Validated by the clinic.",
        {"max": 0.97, "model": "clinic-df", "validated": True},
    )
    summary = summarise([validated, NO_METADATA])
    assert summary.overview.startswith("1 check reported a finding.")
    assert "0.97" in summary.overview
    assert "Weak or unvalidated" not in summary.overview


def test_every_summary_says_what_the_manipulation_models_cannot_do_and_what_can() -> None:
    for signals in ([], [NO_METADATA], [SOURCE, FACE], [FALSE_ALARM]):
        text = summarise(signals).overview
        assert "cannot tell AI-generated images apart in general" in text
        for evidence in ("original photos", "generator information", "Content Credentials"):
            assert evidence in text
