"""A clinic's own detector, plugged in by a manifest entry and a file (issue 14, section 3).

Every model here is built inside the test with onnx.helper, so no downloaded weights are
needed for the plug-in path itself. The models compute a number the test can predict: the
mean of the first colour channel of the input tensor (after the manifest's resize rule,
channel order, scaling and layout), optionally through a sigmoid. Generated pictures with
known colours then give scores the test works out by hand, so a wrong resize rule, channel
order, normalisation or layout shows up as a wrong number.

The case analyses use the real face models from ../shared/models and a real vault.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from modelkit import FACES_DIR, require_models
from PIL import Image
from sqlalchemy import select
from test_packet import flat, pdf_text

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import cases, intake, packets
from ncii_desk.services.analysis import DEEPFAKE_PRODUCER, analyze_case
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, Role
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision import faces as F
from ncii_desk.vision import runtime as runtime_module
from ncii_desk.vision.faces import models as face_models
from ncii_desk.vision.registry import MODELS_ENV, ModelCorrupt, ModelRegistry, user_models_dir
from ncii_desk.vision.summary import MANIPULATION_LIMITS, manipulation_limits

require_models(F.YUNET_FILE, "face_api_dlib_resnet/" + F.DLIB_FILE, "mesonet")
onnx = pytest.importorskip("onnx")

WIDTH, HEIGHT = 8, 6  # the test models' input size


def _mean_model(
    layout: str = "NCHW", batch: int | str = "N", size: tuple[int, int] = (8, 6)
) -> bytes:
    """[batch, 3, H, W] (or NHWC) -> [batch, 1]: the mean of colour channel 0 over the
    picture (a raw value: the manifest's activation turns it into a probability)."""
    from onnx import TensorProto, helper, numpy_helper

    width, height = size
    w = np.zeros((3, 1), np.float32)
    w[0, 0] = 1.0
    if layout == "NCHW":
        shape: list[int | str] = [batch, 3, height, width]
        axes = [2, 3]
    else:
        shape = [batch, height, width, 3]
        axes = [1, 2]
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["input"], ["means"], axes=axes, keepdims=0),
            helper.make_node("MatMul", ["means", "w"], ["logit"]),
        ],
        "channel_zero_mean",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("logit", TensorProto.FLOAT, [batch, 1])],
        initializer=[numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _entry(
    name: str,
    model: bytes,
    *,
    file: str | None = None,
    sha256: str | None = None,
    input: dict[str, Any] | None = None,
    output: dict[str, Any] | None = None,
    domain: dict[str, Any] | None = None,
    validation: str = 'status = "unvalidated"',
    drop: tuple[str, ...] = (),
) -> str:
    """One [models.NAME] entry in TOML; ``drop`` leaves out keys ("input.size", ...)."""
    inp: dict[str, Any] = {
        "tensor": "input",
        "layout": "NCHW",
        "channels": "RGB",
        "size": [WIDTH, HEIGHT],
        "resize": "stretch",
        "scale": 1 / 255,
        "mean": [0.5, 0.5, 0.5],
        "std": [0.25, 0.25, 0.25],
    } | (input or {})
    out: dict[str, Any] = {
        "names": ["logit"],
        "score": "p-fake",
        "score_index": 0,
        "activation": "sigmoid",
    } | (output or {})
    dom: dict[str, Any] = {
        "media": ["image", "video"],
        "input": "whole-image",
        "description": "Generated test pictures of flat colours.",
    } | (domain or {})

    def table(values: dict[str, Any], section: str) -> str:
        lines = [
            f"{key} = {json.dumps(value)}"
            for key, value in values.items()
            if f"{section}.{key}" not in drop
        ]
        return "\n".join(lines)

    return f"""
[models.{name}]
task = "deepfake-classifier"
version = "test-1"
file = "{file or name + ".onnx"}"
sha256 = "{sha256 or hashlib.sha256(model).hexdigest()}"
size = {len(model)}
format = "onnx"
source = "built in the test with onnx.helper"
licence = "none (test)"
training_domain = "Flat colour pictures made for a test."
blind_spots = "Everything else."

[models.{name}.input]
{table(inp, "input")}

[models.{name}.output]
{table(out, "output")}

[models.{name}.domain]
{table(dom, "domain")}

[models.{name}.validation]
{validation}
"""


def _install(folder: Path, entries: dict[str, tuple[bytes, str]]) -> Path:
    """Write each model file and one manifest.toml holding every entry into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (model, _) in entries.items():
        (folder / f"{name}.onnx").write_bytes(model)
    path = folder / "manifest.toml"
    path.write_text("\n".join(text for _, text in entries.values()), encoding="utf-8")
    return path


def _load(folder: Path, name: str, model: bytes, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.runtime import Runtime

    monkeypatch.setenv(MODELS_ENV, str(folder))
    manifest = _install(folder, {name: (model, _entry(name, model, **kw))})
    return load_classifier(name, Runtime(ModelRegistry(manifest)))


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def _normalised(value: float) -> float:
    """A 0-255 value through the test entries' scale/mean/std: (v / 255 - 0.5) / 0.25."""
    return (value / 255 - 0.5) / 0.25


def _stripe_picture() -> np.ndarray:
    """48 x 24 RGB, black, with its left 8 columns pure red."""
    rgb = np.zeros((24, 48, 3), np.uint8)
    rgb[:, :8, 0] = 255
    return rgb


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


# --- preprocessing, exactly as declared -------------------------------------------------------

# The stripe picture at 8 x 6, worked out by hand (integer shrink factors, so area averaging
# is exact): "stretch" shrinks 6x across, 4x down: column 0 stays red (255), column 1 is 2/6
# red (85), the rest black: mean red 340 / 8 = 42.5. "centre-crop" shrinks 4x (shorter side
# 24 -> 6), giving 12 x 6 with red in columns 0-1, then cuts columns 2-9: no red at all.
# "letterbox" shrinks 6x to 8 x 4, centred on a canvas of pad = 255 (rows 0 and 5 white):
# red sums to 4 * 340 + 2 * 8 * 255 = 5440 over 48 pixels.
RED_MEANS = {"stretch": 340 / 8, "centre-crop": 0.0, "letterbox": 5440 / 48}
# Channel 0 in BGR order is blue: none in the picture, only the white letterbox rows.
BLUE_MEANS = {"stretch": 0.0, "centre-crop": 0.0, "letterbox": 2 * 8 * 255 / 48}


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
@pytest.mark.parametrize("resize", ["stretch", "centre-crop", "letterbox"])
@pytest.mark.parametrize("channels", ["RGB", "BGR"])
def test_a_whole_image_model_gets_the_declared_resize_channels_scaling_and_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, resize: str, channels: str
) -> None:
    model = _mean_model(layout)
    clf = _load(
        tmp_path / "models",
        "means",
        model,
        monkeypatch,
        input={"layout": layout, "resize": resize, "channels": channels, "pad": 255},
    )
    assert clf.whole_image
    picture = _stripe_picture()
    tensor = clf.prepare([picture])
    assert tensor.shape == ((1, 3, HEIGHT, WIDTH) if layout == "NCHW" else (1, HEIGHT, WIDTH, 3))
    channel_mean = (RED_MEANS if channels == "RGB" else BLUE_MEANS)[resize]
    (score,) = clf.score([picture])
    assert score == pytest.approx(_sigmoid(_normalised(channel_mean)), abs=1e-5)
    # the same picture through another rule gives another number: the rule was applied
    others = {_sigmoid(_normalised(m)) for r, m in RED_MEANS.items() if r != resize}
    if channels == "RGB":
        assert all(abs(score - other) > 0.01 for other in others)


def test_p_real_softmax_and_threshold_come_from_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """output.score = "p-real" is turned round; output.threshold is the model's own cut."""
    model = _mean_model()
    clf = _load(
        tmp_path / "models",
        "real-prob",
        model,
        monkeypatch,
        output={"score": "p-real", "threshold": 0.7},
    )
    red = np.zeros((12, 16, 3), np.uint8)
    red[..., 0] = 255  # normalised red 2.0 everywhere: the model says P(real) = sigmoid(2)
    (score,) = clf.score([red])
    assert score == pytest.approx(1 - _sigmoid(2.0), abs=1e-5)
    assert clf.threshold == 0.7
    assert "1 minus that" in clf.meaning() and "0.70" in clf.meaning()
    described = clf.describe()
    assert (described["threshold"], described["score_meaning"]) == (0.7, "p-real")
    # a raw value without an activation is not a probability, and is refused
    raw = _load(tmp_path / "raw", "raw-out", model, monkeypatch, output={"activation": "none"})
    from ncii_desk.vision.classifier import ClassifierError

    with pytest.raises(ClassifierError, match=r"outside 0\.\.1") as info:
        raw.score([red])
    assert "output.activation" in (info.value.hint or "")


# --- batch of one -------------------------------------------------------------------------


def test_batch_of_one_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ncii_desk.vision.classifier import ClassifierError

    fixed = _mean_model(batch=1)  # the graph takes exactly one picture per run
    pictures = [np.full((6, 8, 3), v, np.uint8) for v in (0, 128, 255)]
    one = _load(tmp_path / "one", "single", fixed, monkeypatch, input={"batch": 1})
    scores = one.score(pictures)
    assert one.runs == 3  # one run per picture
    expected = [_sigmoid(_normalised(v)) for v in (0, 128, 255)]
    np.testing.assert_allclose(scores, expected, atol=1e-5)

    # the same graph without input.batch in its entry is refused when it is loaded
    with pytest.raises(ClassifierError, match="exactly 1 picture") as info:
        _load(tmp_path / "nobatch", "single", fixed, monkeypatch)
    assert "input.batch = 1" in (info.value.hint or "")

    # a graph with a free batch takes them all in one run
    free = _load(tmp_path / "free", "free", _mean_model(), monkeypatch)
    np.testing.assert_allclose(free.score(pictures), expected, atol=1e-5)
    assert free.runs == 1


# --- entries that are not valid -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": ("output.score",)}, "models.bad.output: 'score' is missing"),
        ({"drop": ("input.size",)}, "models.bad.input: 'size' is missing"),
        ({"drop": ("input.layout",)}, "models.bad.input: 'layout' is missing"),
        ({"input": {"resize": "squash"}}, "models.bad.input: 'resize' must be one of"),
        ({"output": {"activation": "tanh"}}, "models.bad.output: 'activation' must be one of"),
        ({"output": {"threshold": 1.5}}, "models.bad.output: 'threshold' must be a probability"),
        ({"domain": {"input": "crops"}}, "models.bad.domain: 'input' must be one of"),
        (
            {"input": {"resize": "align-5pt"}},
            "models.bad.input: 'resize' = \"align-5pt\" aligns faces",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_the_key(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    model = _mean_model()
    manifest = _install(tmp_path, {"bad": (model, _entry("bad", model, **change))})
    with pytest.raises(InvalidSetting) as info:
        ModelRegistry(manifest)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("model", "change", "words"),
    [
        (_mean_model(size=(8, 6)), {"input": {"size": [16, 16]}}, "its width is 8"),
        (_mean_model("NHWC"), {}, 'layout = "NCHW"'),
        (_mean_model(), {"input": {"tensor": "pixels"}}, "no input called 'pixels'"),
        (_mean_model(), {"output": {"names": ["prob"]}}, "no output called 'prob'"),
    ],
)
def test_an_entry_that_does_not_fit_the_graph_is_refused_when_loaded(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    model: bytes,
    change: dict[str, Any],
    words: str,
) -> None:
    from ncii_desk.vision.classifier import ClassifierError

    with pytest.raises(ClassifierError) as info:
        _load(tmp_path / "models", "misfit", model, monkeypatch, **change)
    assert words in info.value.message


def test_a_file_with_other_bytes_is_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.runtime import Runtime

    model = _mean_model()
    folder = tmp_path / "models"
    monkeypatch.setenv(MODELS_ENV, str(folder))
    manifest = _install(folder, {"swapped": (model, _entry("swapped", model, sha256="cd" * 32))})
    with pytest.raises(ModelCorrupt) as info:
        load_classifier("swapped", Runtime(ModelRegistry(manifest)))
    assert info.value.exit_code == 3 and "cd" * 32 in info.value.message


def test_a_clinic_manifest_in_the_user_models_folder_adds_models_entry_by_entry(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clinic's manifest.toml beside its files is read with the shipped one; a bad entry
    (or a name the shipped manifest uses) is named and left out, the rest still work."""
    monkeypatch.delenv(MODELS_ENV, raising=False)
    model = _mean_model()
    folder = user_models_dir()
    _install(
        folder,
        {
            "clinic-good": (model, _entry("clinic-good", model)),
            "clinic-bad": (model, _entry("clinic-bad", model, drop=("output.score",))),
            "meso4-df": (model, _entry("meso4-df", model)),
        },
    )
    registry = ModelRegistry()
    assert "clinic-good" in registry and registry.is_clinic("clinic-good")
    assert "yunet" in registry and not registry.is_clinic("yunet")  # shipped ones stay
    assert registry.spec("meso4-df").format == "keras-h5"  # the shipped entry is kept
    assert registry.clinic_manifests == [folder / "manifest.toml"]
    with pytest.raises(InvalidSetting, match=r"models\.clinic-bad\.output: 'score' is missing"):
        registry.spec("clinic-bad")
    assert "already used by a model NCII Desk ships" in registry.rejected["meso4-df"].message
    states = {st.name: st.state for st in registry.verify_all()}
    assert states["clinic-good"] == "ok"
    assert states["clinic-bad"] == states["meso4-df"] == "invalid"

    result = cli("models", "verify", "--json")
    assert result.rc == 2, result.err  # InvalidSetting: fix the entry
    data = result.json()
    assert sorted(data["invalid"]) == ["clinic-bad", "meso4-df"]
    assert data["clinic_manifests"] == [str(folder / "manifest.toml")]
    text = cli("models", "verify")
    assert "INVALID ENTRY  clinic-bad" in text.out and "'score' is missing" in text.out
    assert "Clinic manifest read:" in text.out


# --- in a case analysis ---------------------------------------------------------------------


def _rows(vault: Vault, item_id: str) -> list[Analysis]:
    with vault.session() as s:
        return list(s.scalars(select(Analysis).where(Analysis.item_id == item_id)))


def _newest(vault: Vault, item_id: str, producer: str) -> Analysis:
    rows = [r for r in _rows(vault, item_id) if r.producer == producer]
    return max(rows, key=lambda r: r.created_at)


@pytest.fixture
def fresh_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis builds its process-wide runtime (and so its registry) anew."""
    monkeypatch.setattr(runtime_module, "_shared", None)


def _clinic_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **kw: Any
) -> tuple[Path, bytes]:
    model = _mean_model()
    folder = tmp_path / "clinic-models"
    _install(folder, {name: (model, _entry(name, model, **kw))})
    monkeypatch.setenv(MODELS_ENV, str(folder))
    return folder, model


def _case_with(
    vault: Vault, tmp_path: Path, title: str, *, reference: bool = False
) -> tuple[str, str, str]:
    """A case with a face photo and a flat red picture (no face) as suspects (and with
    ``reference``, a reference photo of the same person, so the photo becomes an exhibit)."""
    red = np.zeros((60, 80, 3), np.uint8)
    red[..., 0] = 255
    red_path = tmp_path / "red.png"
    red_path.write_bytes(_png(red))
    case = cases.new_case(vault, title)
    if reference:
        ref = intake.add_items(vault, case.id, Role.REFERENCE, [FACES_DIR / "chirac1.jpg"])
        assert not ref.errors
    added = intake.add_items(vault, case.id, Role.SUSPECT, [FACES_DIR / "chirac2.jpg", red_path])
    assert not added.errors
    photo, flat_red = (i.id for i in added.added)
    return case.id, photo, flat_red


def test_a_whole_image_plugin_scores_the_whole_picture_in_an_analysis(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.runtime import shared_runtime

    _clinic_folder(tmp_path, monkeypatch, "clinic-whole")
    case_id, photo, flat_red = _case_with(store, tmp_path, "Whole picture")
    report = analyze_case(store, case_id)  # the default set includes the clinic's model
    assert "clinic-whole" in {c["name"] for c in report.classifiers}
    clf = load_classifier("clinic-whole", shared_runtime())
    producer = DEEPFAKE_PRODUCER + "clinic-whole"

    # the face photo: one score for the whole picture, none per face
    row = _newest(store, photo, producer)
    assert row.result["input"] == "whole-image" and row.result["faces"] == []
    (picture,) = row.result["pictures"]
    pixels = load_image((FACES_DIR / "chirac2.jpg").read_bytes()).pixels
    expected = float(clf.score([pixels])[0])
    assert picture["score"] == pytest.approx(expected, abs=1e-4)
    assert picture["size"] == [pixels.shape[1], pixels.shape[0]]

    # the flat red picture has no face, and is scored all the same: sigmoid(2) = 0.88
    red_row = _newest(store, flat_red, producer)
    (red_picture,) = red_row.result["pictures"]
    assert red_picture["score"] == pytest.approx(_sigmoid(2.0), abs=1e-4)
    (sig,) = red_row.result["signals"]
    assert sig["finding"].startswith(
        "The manipulation classifier 'clinic-whole' looked at the whole picture and gives it 0.88"
    )
    assert "at or above its threshold of 0.50" in sig["finding"]
    assert "from 0 (looks like the real pictures it learned from)" in sig["finding"]
    assert sig["strength"] == "weak" and sig["value"]["validated"] is False
    assert "It is not a probability that the picture is fake in fact" in sig["caveat"]
    # MesoNet, a face-crop model, has nothing to say on the faceless picture
    meso = _newest(store, flat_red, DEEPFAKE_PRODUCER + "meso4-df")
    assert meso.result["applicable"] is False  # still pictures are outside its domain

    # unvalidated: never the headline; the plain words stay exactly as without a plug-in
    summary = next(i.summary for i in report.items if i.item_id == flat_red)
    assert summary is not None
    overview = summary["overview"]
    assert "0.88" not in overview and "'clinic-whole'" in overview
    assert "Weak or unvalidated signals, not counted as findings" in overview
    assert MANIPULATION_LIMITS in overview
    assert report.as_dict()["manipulation_limits"] == MANIPULATION_LIMITS


def test_a_whole_image_plugin_outside_its_domain_is_not_applicable(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    _clinic_folder(
        tmp_path,
        monkeypatch,
        "clinic-video-only",
        domain={"media": ["video"], "description": "Frames of screen recordings."},
    )
    case_id, photo, flat_red = _case_with(store, tmp_path, "Out of domain")
    analyze_case(store, case_id, classifiers=["clinic-video-only"])
    for item in (photo, flat_red):
        row = _newest(store, item, DEEPFAKE_PRODUCER + "clinic-video-only")
        assert row.result["applicable"] is False and row.provider is None
        assert "pictures" not in row.result  # not run: no number exists
        (sig,) = row.result["signals"]
        assert sig["finding"] == (
            "Manipulation classifier 'clinic-video-only': Not applicable: this model was made "
            "for frames of screen recordings, so its score would mean nothing for this input "
            "and none is shown."
        )
        assert "score" not in sig["value"] and "max" not in sig["value"]


def test_a_face_crop_plugin_scores_each_face_and_not_the_picture(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.runtime import shared_runtime

    _clinic_folder(tmp_path, monkeypatch, "clinic-faces", domain={"input": "face-crop"})
    case_id, photo, flat_red = _case_with(store, tmp_path, "Face crops")
    analyze_case(store, case_id, classifiers=["clinic-faces"])
    clf = load_classifier("clinic-faces", shared_runtime())
    assert not clf.whole_image
    row = _newest(store, photo, DEEPFAKE_PRODUCER + "clinic-faces")
    assert row.result["input"] == "face-crop" and row.result["pictures"] == []
    (face,) = row.result["faces"]
    pixels = load_image((FACES_DIR / "chirac2.jpg").read_bytes()).pixels
    found = F.detect(pixels, score_threshold=0.6)
    (expected,) = clf.score([clf.crop(pixels, found[0])])
    assert face["score"] == pytest.approx(float(expected), abs=1e-4)
    assert face["score"] != pytest.approx(float(clf.score([pixels])[0]), abs=1e-3)
    (sig,) = _newest(store, flat_red, DEEPFAKE_PRODUCER + "clinic-faces").result["signals"]
    assert sig["finding"] == (
        "The manipulation classifier 'clinic-faces' had no face to score; it looks at faces only."
    )


VALIDATED = (
    'status = "validated"\nauc = 0.91\nimages = 240\ndomain = "flat colour test pictures"\n'
    'date = "2026-12-01"\nby = "the clinic"'
)


def test_the_plain_words_change_only_when_a_validated_detector_is_installed(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    _clinic_folder(tmp_path, monkeypatch, "clinic-valid", validation=VALIDATED)
    case_id, photo, flat_red = _case_with(store, tmp_path, "Validated", reference=True)
    report = analyze_case(store, case_id, classifiers=["clinic-valid"])
    changed = manipulation_limits(["clinic-valid"])
    assert changed != MANIPULATION_LIMITS
    assert report.as_dict()["manipulation_limits"] == changed
    summary = next(i.summary for i in report.items if i.item_id == flat_red)
    assert summary is not None
    overview = summary["overview"]
    assert changed in overview and MANIPULATION_LIMITS not in overview
    assert "The strongest (moderate, from the manipulation classifier)" in overview
    (sig,) = _newest(store, flat_red, DEEPFAKE_PRODUCER + "clinic-valid").result["signals"]
    assert sig["strength"] == "moderate" and sig["value"]["validated"] is True
    assert "validated by the clinic on 240 labelled images" in sig["caveat"]

    # the packet's exhibit (the photo, matched to the reference face) says it too
    assert _newest(store, photo, DEEPFAKE_PRODUCER + "clinic-valid").result["pictures"]
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out)
    text = flat(pdf_text(next(out.glob("*.pdf")))[0])
    # (the reference photo's exhibit, which no validated model scored, keeps the old words)
    assert "Only the manipulation classifier 'clinic-valid' has a validation record" in text


def test_the_plain_words_stay_with_an_unvalidated_plugin_in_the_cli(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    _clinic_folder(tmp_path, monkeypatch, "clinic-unvalidated")
    vault_dir = tmp_path / "vault"
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="advocate")
    try:
        _case_with(vault, tmp_path, "CLI plug-in")
    finally:
        vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    data = cli("analyze", "CLI plug-in", "--json", "--classifier", "clinic-unvalidated")
    assert data.rc == 0, data.err
    assert data.json()["manipulation_limits"] == MANIPULATION_LIMITS
    text = cli("analyze", "CLI plug-in", "--again", "--classifier", "clinic-unvalidated")
    assert text.rc == 0, text.err
    assert "looked at the whole picture and gives it 0.88" in text.out
    assert "[weak or unvalidated signal, not a finding]" in text.out
    assert MANIPULATION_LIMITS in " ".join(text.out.split())


def _red_then_blue_video(path: Path) -> Path:
    """4 s at 5 fps, 160x120: 2 s plain red, then 2 s plain blue."""
    import av

    red = np.zeros((120, 160, 3), np.uint8)
    red[..., 0] = 255
    blue = red[..., ::-1].copy()
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for picture in (red, blue):
            for _ in range(10):
                for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_a_whole_image_plugin_scores_every_sampled_video_frame(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    pytest.importorskip("av")
    _clinic_folder(tmp_path, monkeypatch, "clinic-frames", domain={"media": ["video"]})
    case = cases.new_case(store, "Video")
    added = intake.add_items(
        store, case.id, Role.SUSPECT, [_red_then_blue_video(tmp_path / "clip.mp4")]
    )
    assert not added.errors
    (video,) = (i.id for i in added.added)
    analyze_case(store, case.id, classifiers=["clinic-frames"])
    row = _newest(store, video, DEEPFAKE_PRODUCER + "clinic-frames")
    assert row.result["applicable"] is True and row.result["faces"] == []
    scores = [p["score"] for p in row.result["pictures"]]
    assert len(scores) >= 3 and all(p["t_ms"] is not None for p in row.result["pictures"])
    # red frames: normalised red 2 -> sigmoid(2) = 0.88; blue frames: sigmoid(-2) = 0.12
    for score in scores:
        assert min(abs(score - _sigmoid(2.0)), abs(score - _sigmoid(-2.0))) < 0.05
    flagged = sum(s >= 0.5 for s in scores)
    assert 0 < flagged < len(scores)
    (sig,) = row.result["signals"]
    assert sig["value"]["frames_flagged"] == flagged
    assert sig["finding"].startswith(
        f"The manipulation classifier 'clinic-frames' looked at {len(scores)} whole sampled "
        f"frames: {flagged} at or above its threshold of 0.50"
    )


def test_a_whole_image_plugin_runs_when_the_face_models_are_not_installed(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    """It needs no faces: on a computer without the face embedder the face steps stop (with
    the note saying so), and the whole-image detector still scores the pictures."""
    import shutil

    from modelkit import MODELS

    from ncii_desk.services import faces_gallery
    from ncii_desk.vision import registry as registry_module

    folder, _ = _clinic_folder(tmp_path, monkeypatch, "clinic-alone")
    monkeypatch.setattr(registry_module, "shared_models_dir", lambda: None)
    for name in (F.YUNET_FILE,):  # the detector is there, the embedder (dlib) is not
        shutil.copyfile(MODELS / name, folder / name)
    monkeypatch.setattr(faces_gallery, "_models", {})  # nothing loaded in this process yet
    monkeypatch.setattr(face_models, "_sessions", {})  # the module that holds the sessions
    case_id, photo, flat_red = _case_with(store, tmp_path, "No face models")
    report = analyze_case(store, case_id)
    assert [p["model"] for p in report.problems if p.get("error") == "ModelMissing"] == [
        F.DLIB_MODEL
    ]
    assert [c["name"] for c in report.classifiers] == ["clinic-alone"]  # MesoNet needs faces
    row = _newest(store, flat_red, DEEPFAKE_PRODUCER + "clinic-alone")
    (picture,) = row.result["pictures"]
    assert picture["score"] == pytest.approx(_sigmoid(2.0), abs=1e-4)
    summary = next(i.summary for i in report.items if i.item_id == photo)
    assert summary is not None
    assert any(
        f["finding"].startswith(
            "Faces were not looked at in this run: the model 'dlib-resnet-128' is not installed"
        )
        for f in summary["findings"]
    )


def test_a_clinic_manifest_added_later_is_used_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_runtime: None
) -> None:
    from ncii_desk.vision.runtime import shared_runtime

    monkeypatch.delenv(MODELS_ENV, raising=False)
    before = shared_runtime()
    assert "clinic-later" not in before.registry
    assert shared_runtime() is before  # nothing changed: the same runtime and sessions
    _clinic_folder(tmp_path, monkeypatch, "clinic-later")
    after = shared_runtime()
    assert after is not before and "clinic-later" in after.registry
    assert shared_runtime() is after
