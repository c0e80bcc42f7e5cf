"""The versioned project description: the page's JSON in, typed objects out, every mistake named by path."""

from __future__ import annotations

import copy
import json
import re

import pytest

from vizengine.audio.analysis import AnalyserConfig
from vizengine.errors import ExportError, InvalidProject
from vizengine.frames.compositing import CompositePlan, LayerStyle
from vizengine.project.description import AnalyserSettings, LayerSpec, Project, composite_plan
from vizengine.project.layer_params import default_params


def page_json() -> dict:
    """A project as the page sends it, every field spelled out."""
    return {
        "version": 2,
        "background": "#000000",
        "analyser": {"fftSize": 2048, "smoothing": 0.8, "minDb": -100, "maxDb": -30},
        "layers": [
            {"id": "background", "name": "background", "kind": "pulse-gradient", "visible": True,
             "opacity": 1, "blendMode": "normal", "background": "transparent",
             "params": default_params("pulse-gradient")},
            {"id": "bars", "name": "Bars", "kind": "spectrum-bars", "visible": True, "opacity": 0.7,
             "blendMode": "screen", "background": "rgba(0, 0, 0, 0.25)",
             "params": {**default_params("spectrum-bars"), "bars": 32, "colorLow": "#ffffff"}},
            {"id": "wave", "name": "wave", "kind": "waveform", "visible": False, "opacity": 0.5,
             "blendMode": "difference", "background": "transparent", "params": default_params("waveform")},
        ],
    }


def rejected(obj: object) -> str:
    with pytest.raises(InvalidProject) as info:
        Project.from_json(obj)
    return str(info.value)


def with_change(path: tuple, value: object) -> dict:
    """page_json() with the field at `path` set to `value`."""
    project = page_json()
    node = project
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return project


def without(path: tuple) -> dict:
    project = page_json()
    node = project
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return project


# --- reading and writing -------------------------------------------------------------------------


def test_from_json_gives_typed_objects_with_python_names():
    project = Project.from_json(page_json())
    assert project.version == 2 and project.background == "#000000"
    assert project.analyser == AnalyserSettings(fft_size=2048, smoothing=0.8, min_db=-100.0, max_db=-30.0)
    bars = project.layers[1]
    assert (bars.id, bars.kind, bars.visible, bars.opacity, bars.blend_mode, bars.background) == (
        "bars", "spectrum-bars", True, 0.7, "screen", "rgba(0, 0, 0, 0.25)")
    assert isinstance(project.layers, tuple) and isinstance(project.layers[0].opacity, float)


def test_round_trip_is_exact_both_ways():
    original = page_json()
    project = Project.from_json(original)
    assert project.to_json() == original
    assert json.loads(json.dumps(project.to_json())) == original
    assert Project.from_json(project.to_json()) == project


def test_from_json_leaves_the_callers_json_untouched_and_unshared():
    original = page_json()
    before = copy.deepcopy(original)
    project = Project.from_json(original)
    assert original == before
    original["layers"][1]["params"]["bars"] = 99
    assert project.layers[1].params["bars"] == 32
    out = project.to_json()
    out["layers"][1]["params"]["bars"] = 7
    assert project.to_json()["layers"][1]["params"]["bars"] == 32


def test_params_are_read_only_and_the_project_is_hashable():
    project = Project.from_json(page_json())
    with pytest.raises(TypeError):
        project.layers[1].params["bars"] = 1  # type: ignore[index]
    assert project.layers[1].params["colorLow"] == "#ffffff"
    assert hash(project) == hash(Project.from_json(page_json()))


def test_visible_defaults_to_true_params_to_the_kinds_defaults_and_name_to_the_id():
    project = Project.from_json(without(("layers", 0, "visible")))
    assert project.layers[0].visible is True
    project = Project.from_json(without(("layers", 1, "params")))
    assert project.layers[1].params == default_params("spectrum-bars")
    assert project.to_json()["layers"][1]["params"] == default_params("spectrum-bars")
    assert Project.from_json(without(("layers", 1, "name"))).layers[1].name == "bars"


def test_a_version_1_project_is_read_as_version_2_with_names_and_full_params():
    old = page_json()
    old["version"] = 1
    for layer in old["layers"]:
        del layer["name"]
        layer["params"] = {}
    project = Project.from_json(old)
    assert project.version == 2
    assert [layer.name for layer in project.layers] == ["background", "bars", "wave"]
    assert project.layers[2].params == default_params("waveform")


def test_analyser_kwargs_are_what_analyse_takes():
    kwargs = Project.from_json(page_json()).analyser_kwargs()
    assert kwargs == {"fft_size": 2048, "smoothing": 0.8, "min_db": -100.0, "max_db": -30.0}
    AnalyserConfig(**kwargs)


def test_invalid_project_is_an_export_error_and_a_value_error():
    assert issubclass(InvalidProject, ExportError) and issubclass(InvalidProject, ValueError)


# --- the composite plan ----------------------------------------------------------------------------


def test_composite_plan_keeps_visible_layers_in_order_and_leaves_out_invisible_ones():
    plan = composite_plan(Project.from_json(page_json()), 640, 360)
    assert plan == CompositePlan(640, 360, "#000000", (
        LayerStyle("background", 1.0, "normal", "transparent"),
        LayerStyle("bars", 0.7, "screen", "rgba(0, 0, 0, 0.25)"),
    ))


def test_composite_plan_of_only_invisible_layers_has_no_layers():
    project = page_json()
    for layer in project["layers"]:
        layer["visible"] = False
    assert composite_plan(Project.from_json(project), 4, 4).layers == ()


# --- versions ------------------------------------------------------------------------------------


def test_a_newer_version_is_refused_before_its_unknown_fields_are():
    project = {**page_json(), "version": 3, "timeline": []}
    assert rejected(project) == "project.version 3 is newer than this app understands (2)"


@pytest.mark.parametrize("version", [0, -1, 1.0, "1", True, None])
def test_version_must_be_a_whole_number_from_1(version):
    message = rejected(with_change(("version",), version))
    assert message.startswith("project.version must be a whole number from 1 (got ")


def test_a_missing_version_is_named():
    assert rejected(without(("version",))) == "project.version is missing"


# --- every bad field is named by its path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("layers", 1, "opacity"), 1.5, "project.layers[1].opacity must be a number from 0 to 1 (got 1.5)"),
        (("layers", 1, "opacity"), -0.1, "project.layers[1].opacity must be a number from 0 to 1"),
        (("layers", 1, "opacity"), True, "project.layers[1].opacity must be a number from 0 to 1 (got true)"),
        (("layers", 1, "opacity"), "0.5", 'project.layers[1].opacity must be a number from 0 to 1 (got "0.5")'),
        (("layers", 1, "opacity"), float("nan"), "project.layers[1].opacity must be a number"),
        (("layers", 0, "blendMode"), "Multiply", 'project.layers[0].blendMode must be one of normal, multiply'),
        (("layers", 0, "blendMode"), "plus-lighter", "project.layers[0].blendMode must be one of"),
        (("layers", 2, "kind"), "bars", "project.layers[2].kind must be one of pulse-gradient, spectrum-bars, "
                                        'waveform, radial-spectrum, particles, text, image (got "bars")'),
        (("layers", 0, "id"), "", 'project.layers[0].id must be non-empty text (got "")'),
        (("layers", 0, "id"), 7, "project.layers[0].id must be non-empty text (got 7)"),
        (("layers", 0, "visible"), 1, "project.layers[0].visible must be true or false (got 1)"),
        (("layers", 0, "background"), "bluish", 'project.layers[0].background must be a colour such as'),
        (("layers", 0, "params"), [], "project.layers[0].params must be a JSON object (got [])"),
        (("layers", 1, "params", "exponent"), float("inf"),
         "project.layers[1].params.exponent must be a finite number (got Infinity)"),
        (("layers", 1, "params", "bars"), [1, {1, 2}], "project.layers[1].params.bars[1] must be a JSON value"),
        (("layers", 1, "params", "bars"), 129, "project.layers[1].params.bars must be a whole number from 1 to 128"),
        (("layers", 1, "params", "bars"), 6.5, "project.layers[1].params.bars must be a whole number"),
        (("layers", 1, "params", "colorHigh"), "red", 'project.layers[1].params.colorHigh must be a colour #rrggbb'),
        (("layers", 1, "params", "minHz"), 20000, "project.layers[1].params.minHz 20000 must be below maxHz 16000"),
        (("layers", 1, "params", "mirror"), True, "project.layers[1].params.mirror is not a parameter of a "
                                                  "spectrum-bars layer (known: bars, minHz"),
        (("layers", 1, "name"), "x" * 81, "project.layers[1].name must be text of at most 80 characters"),
        (("layers", 1, "params", "a b"), object(), 'project.layers[1].params["a b"] must be a JSON value'),
        (("layers", 1), "bars", 'project.layers[1] must be a JSON object (got "bars")'),
        (("layers",), {"id": "a"}, "project.layers must be a list of layers"),
        (("analyser", "fftSize"), 16384, "project.analyser.fftSize must be one of 32, 64, 128, 256, 512, 1024, "
                                         "2048, 4096, 8192 (got 16384)"),
        (("analyser", "fftSize"), 2048.0, "project.analyser.fftSize must be one of"),
        (("analyser", "fftSize"), 1000, "project.analyser.fftSize must be one of"),
        (("analyser", "smoothing"), 1.01, "project.analyser.smoothing must be a number from 0 to 1 (got 1.01)"),
        (("analyser", "minDb"), -20, "project.analyser.minDb -20 must be below maxDb -30"),
        (("analyser", "maxDb"), None, "project.analyser.maxDb must be a finite number (got null)"),
        (("analyser",), [2048], "project.analyser must be a JSON object (got [2048])"),
        (("background",), "nope", 'project.background must be a colour such as'),
    ],
)  # fmt: skip
def test_a_bad_field_is_named_by_its_path(path, value, message):
    assert rejected(with_change(path, value)).startswith(message)


@pytest.mark.parametrize("background", ["transparent", "rgba(0, 0, 0, 0.5)", "#000000fe"])
def test_the_stage_background_must_be_opaque(background):
    message = rejected(with_change(("background",), background))
    assert message.startswith(f'project.background must be opaque (alpha 1): "{background}" has alpha ')


def test_layer_ids_must_be_unique():
    project = with_change(("layers", 2, "id"), "background")
    assert rejected(project) == (
        'project.layers[2].id "background" is already the id of project.layers[0]; layer ids must be unique'
    )


@pytest.mark.parametrize(
    ("path", "key", "message"),
    [
        ((), "bckground", "project.bckground is not a known field (known: version, background, analyser, layers)"),
        (("analyser",), "fft_size", "project.analyser.fft_size is not a known field (known: fftSize, "),
        (("layers", 1), "blend_mode", "project.layers[1].blend_mode is not a known field (known: id, name, kind, "),
        (("layers", 1), "max opacity", 'project.layers[1]["max opacity"] is not a known field'),
    ],
)  # fmt: skip
def test_an_unknown_key_is_an_error_naming_it_so_a_typo_is_never_dropped(path, key, message):
    project = page_json()
    node = project
    for step in path:
        node = node[step]
    node[key] = 1
    assert rejected(project).startswith(message)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("background",), "project.background is missing"),
        (("analyser",), "project.analyser is missing"),
        (("layers",), "project.layers is missing"),
        (("analyser", "minDb"), "project.analyser.minDb is missing"),
        (("layers", 1, "blendMode"), "project.layers[1].blendMode is missing"),
        (("layers", 2, "kind"), "project.layers[2].kind is missing"),
    ],
)
def test_a_missing_required_field_is_named(path, message):
    assert rejected(without(path)) == message


@pytest.mark.parametrize("obj", [None, [], "project", 1])
def test_the_project_must_be_an_object(obj):
    assert rejected(obj).startswith("project must be a JSON object (got ")


# --- typed construction validates too --------------------------------------------------------------


def test_typed_objects_built_directly_are_validated_with_their_own_field_names():
    with pytest.raises(InvalidProject, match=re.escape("opacity must be a number from 0 to 1 (got 2)")):
        LayerSpec("a", "waveform", True, 2, "normal", "transparent")
    with pytest.raises(InvalidProject, match="fftSize must be one of"):
        AnalyserSettings(100, 0.5, -100, -30)
    layer = LayerSpec("a", "waveform", True, 1, "normal", "transparent")
    analyser = AnalyserSettings(2048, 0.8, -100, -30)
    with pytest.raises(InvalidProject, match=r"project.layers\[1\] must be a LayerSpec"):
        Project(1, "#000", analyser, (layer, {"id": "b"}))  # type: ignore[arg-type]
    assert Project(1, "#000", analyser, [layer]).layers == (layer,)
