"""Manipulation signals that never overclaim (issue 14, section 1 and the plain words of 3).

* a classifier's score is shown only for inputs inside its manifest domain: MesoNet on a
  still photo is "not applicable", with no number stored;
* an unvalidated classifier's score never headlines an item summary and never counts among
  the packet's manipulation findings (summary text and packet PDF text via pypdf);
* a classifier dropped at a re-analysis disappears from summaries and packets (rows kept);
* every summary and the packet's analysis section say what the models cannot do.

Real models from ../shared/models, real photos from ../shared/testdata/faces, a small ONNX
classifier built here with onnx.helper, real packets.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from modelkit import FACES_DIR, require_models
from sqlalchemy import select
from test_packet import flat, pdf_text

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.documents import packet as pk
from ncii_desk.services import cases, intake, packets
from ncii_desk.services.analysis import DEEPFAKE_PRODUCER, analyze_case
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, Case, Role
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision import faces as F
from ncii_desk.vision.registry import MODELS_ENV, ModelRegistry

require_models(F.MOBILEFACENET_FILE, "mesonet")
onnx = pytest.importorskip("onnx")

LIMITS = "cannot tell AI-generated images apart in general"


def _rows(vault: Vault, item_id: str) -> list[Analysis]:
    with vault.session() as s:
        return list(s.scalars(select(Analysis).where(Analysis.item_id == item_id)))


def _newest(vault: Vault, item_id: str, kind: str) -> Analysis:
    return max((r for r in _rows(vault, item_id) if r.kind == kind), key=lambda r: r.created_at)


def _case(vault: Vault, title: str) -> tuple[str, str]:
    case = cases.new_case(vault, title)
    ref = intake.add_items(vault, case.id, Role.REFERENCE, [FACES_DIR / "chirac1.jpg"])
    sus = intake.add_items(vault, case.id, Role.SUSPECT, [FACES_DIR / "chirac2.jpg"])
    assert not ref.errors and not sus.errors
    return case.id, sus.added[0].id


def _red_minus_blue_model() -> bytes:
    """[N, 3, 16, 16] -> softmax over [real, fake] of (0, 8 * (mean R - mean B)): skin tones
    (more red than blue) come out as "looks manipulated" at about 0.9 and above."""
    from onnx import TensorProto, helper, numpy_helper

    w = np.zeros((3, 2), np.float32)
    w[0, 1], w[2, 1] = 8.0, -8.0
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "w"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
        ],
        "red_minus_blue",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 2])],
        initializer=[numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _clinic_manifest(folder: Path, validation: str) -> Path:
    model = _red_minus_blue_model()
    (folder / "rmb.onnx").write_bytes(model)
    path = folder / "manifest.toml"
    path.write_text(
        f"""
[models.rmb]
task = "deepfake-classifier"
training_domain = "Red and blue squares, for a test."
version = "1"
file = "rmb.onnx"
sha256 = "{hashlib.sha256(model).hexdigest()}"
size = {len(model)}
format = "onnx"
source = "built in the test"
licence = "none"

[models.rmb.input]
tensor = "input"
layout = "NCHW"
channels = "RGB"
size = [16, 16]
scale = 0.00392156862745098
mean = [0.5, 0.5, 0.5]
std = [0.5, 0.5, 0.5]

[models.rmb.output]
names = ["probs"]
score = "p-fake"
score_index = 1

[models.rmb.domain]
media = ["image", "video"]
description = "Face crops of any picture, for a test."

[models.rmb.validation]
{validation}
""",
        encoding="utf-8",
    )
    return path


def _load_rmb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validation: str) -> object:
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.runtime import Runtime

    folder = tmp_path / f"models-{hashlib.sha256(validation.encode()).hexdigest()[:6]}"
    folder.mkdir()
    monkeypatch.setenv(MODELS_ENV, str(folder))
    return load_classifier("rmb", Runtime(ModelRegistry(_clinic_manifest(folder, validation))))


def _exhibit(vault: Vault, case_id: str, item_id: str) -> pk.Exhibit:
    with vault.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        data = pk.gather(s, case, vault_id=vault.vault_id, operator="t", built_at=datetime.now(UTC))
    return next(e for e in data.exhibits if e.item_id == item_id)


# --- domain -----------------------------------------------------------------------------------


def test_mesonet_on_a_still_photo_is_not_applicable_and_no_score_is_kept(store: CaseStore) -> None:
    case_id, suspect = _case(store, "Still photo")
    report = analyze_case(store, case_id)
    assert {c["name"] for c in report.classifiers} == {"meso4-df", "mesoinception-df"}
    for name in ("meso4-df", "mesoinception-df"):
        (row,) = [r for r in _rows(store, suspect) if r.producer == DEEPFAKE_PRODUCER + name]
        assert row.result["applicable"] is False
        assert row.result["faces"] == [] and "aggregate" not in row.result
        assert row.provider is None  # nothing ran
        (sig,) = row.result["signals"]
        assert sig["strength"] == "none"
        assert (
            "Not applicable: this model was made for face crops from compressed" in (sig["finding"])
        )
        assert "score" not in sig["value"] and "max" not in sig["value"]
        assert row.result["classifier"]["domain"]["media"] == ["video"]
        assert row.result["classifier"]["validation"]["status"] == "unvalidated"
    (item,) = report.items
    assert item.summary is not None
    overview = item.summary["overview"]
    assert "looking manipulated" not in overview and LIMITS in overview
    # the rows are current: a second run leaves them alone
    again = analyze_case(store, case_id)
    assert again.items[0].status == "up-to-date"


# --- headline rule ----------------------------------------------------------------------------


def test_an_unvalidated_classifier_never_headlines_the_summary_or_the_packet(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clf = _load_rmb(tmp_path, monkeypatch, 'status = "unvalidated"')
    case_id, suspect = _case(store, "Unvalidated")
    report = analyze_case(store, case_id, classifiers=[clf])
    row = _newest(store, suspect, "deepfake")
    (sig,) = row.result["signals"]
    assert sig["value"]["max"] >= 0.5 and sig["value"]["validated"] is False  # it did react
    assert "looking manipulated" in sig["finding"] and sig["strength"] == "weak"
    overview = report.items[0].summary["overview"]  # type: ignore[index]
    assert "looking manipulated" not in overview
    assert f"{sig['value']['max']:.2f}" not in overview
    assert (
        "Weak or unvalidated signals, not counted as findings" in overview and "'rmb'" in overview
    )
    assert LIMITS in overview

    ex = _exhibit(store, case_id, suspect)
    assert not pk.supports(ex, "manipulation")
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out)
    text = flat(pdf_text(next(out.glob("*.pdf")))[0])
    assert "Weak or unvalidated signal (not a finding): deepfake_score" in text
    assert "Finding: deepfake_score" not in text
    assert "from the manipulation classifier)" not in text  # never "The strongest (...)"
    assert LIMITS in text
    assert "Content Credentials" in text


def test_a_classifier_validated_above_the_minimum_counts_as_a_finding(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clf = _load_rmb(
        tmp_path,
        monkeypatch,
        'status = "validated"\nauc = 0.91\nimages = 240\ndomain = "test faces"\n'
        'date = "2026-12-01"\nby = "the clinic"',
    )
    case_id, suspect = _case(store, "Validated")
    analyze_case(store, case_id, classifiers=[clf])
    (sig,) = _newest(store, suspect, "deepfake").result["signals"]
    assert sig["value"]["validated"] is True and sig["strength"] == "moderate"
    assert "validated by the clinic on 240 labelled images" in sig["caveat"]
    ex = _exhibit(store, case_id, suspect)
    assert pk.supports(ex, "manipulation")


def test_a_validation_below_the_minimum_is_still_unvalidated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.vision.registry import MIN_VALIDATED_AUC, MIN_VALIDATED_IMAGES

    few = _load_rmb(tmp_path, monkeypatch, 'status = "validated"\nauc = 0.95\nimages = 120')
    low = _load_rmb(tmp_path, monkeypatch, 'status = "validated"\nauc = 0.80\nimages = 500')
    assert (MIN_VALIDATED_AUC, MIN_VALIDATED_IMAGES) == (0.85, 200)
    for clf in (few, low):
        assert not clf.validation.meets_minimum  # type: ignore[attr-defined]
        assert "below the minimum" in clf.validation.words()  # type: ignore[attr-defined]


# --- re-analysis ------------------------------------------------------------------------------


def test_a_classifier_dropped_at_reanalysis_leaves_summaries_and_packets(
    store: CaseStore, tmp_path: Path
) -> None:
    case_id, suspect = _case(store, "Re-analysis")
    analyze_case(store, case_id)
    both = {DEEPFAKE_PRODUCER + "meso4-df", DEEPFAKE_PRODUCER + "mesoinception-df"}
    summary = _newest(store, suspect, "summary")
    assert {s["value"].get("model") for s in summary.result["signals"]} >= {
        "meso4-df",
        "mesoinception-df",
    }

    analyze_case(store, case_id, again=True, classifiers=["mesoinception-df"])
    summary = _newest(store, suspect, "summary")
    models = {s["value"].get("model") for s in summary.result["signals"]}
    assert "mesoinception-df" in models and "meso4-df" not in models
    assert f"deepfake/{DEEPFAKE_PRODUCER}meso4-df" not in summary.result["steps"]
    # history: the dropped classifier's row is still stored
    assert both <= {r.producer for r in _rows(store, suspect) if r.kind == "deepfake"}
    ex = _exhibit(store, case_id, suspect)
    producers = {f.producer for f in ex.findings}
    assert DEEPFAKE_PRODUCER + "mesoinception-df" in producers
    assert DEEPFAKE_PRODUCER + "meso4-df" not in producers
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out)
    text = flat(pdf_text(next(out.glob("*.pdf")))[0])
    # the exhibit's findings cite only the current classifier (the custody log still records
    # that both ran earlier: that is history)
    assert "classifier 'mesoinception-df'" in text
    assert "classifier 'meso4-df'" not in text
    assert f"{DEEPFAKE_PRODUCER}meso4-df" not in text.replace(" ", "")

    # a plain run with yet another set also rewrites the summary (no --again needed)
    analyze_case(store, case_id, classifiers=["meso4-df"])
    models = {s["value"].get("model") for s in _newest(store, suspect, "summary").result["signals"]}
    assert "meso4-df" in models and "mesoinception-df" not in models


# --- the CLI --------------------------------------------------------------------------------


def test_analyze_cli_says_not_applicable_and_what_the_models_cannot_do(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault_dir = tmp_path / "vault"
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="advocate")
    try:
        _case(vault, "CLI case")
    finally:
        vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    data = cli("analyze", "CLI case", "--json")
    assert data.rc == 0, data.err
    assert LIMITS in data.json()["manipulation_limits"]
    text = cli("analyze", "CLI case", "--again")
    assert text.rc == 0, text.err
    assert "[none] Manipulation classifier 'meso4-df': Not applicable" in text.out
    assert LIMITS in text.out and "C2PA" in text.out
    assert "looking manipulated" not in text.out
