"""vizengine.frames.gpu_plan: the plan the page's WebGL compositor takes (web/src/gl/compositor.js)."""

import pytest

from vizengine.errors import InvalidProject
from vizengine.frames.gpu_plan import MAX_LAYERS, gpu_plan
from vizengine.project.contract import BLEND_MODES
from vizengine.project.description import Project


def layer(id_: str, **fields) -> dict:
    return {"id": id_, "kind": "spectrum-bars", "opacity": 1, "blendMode": "normal", "background": "transparent",
            **fields}


def project(*layers: dict, background: str = "#000000") -> Project:
    return Project.from_json({"version": 1, "background": background, "layers": list(layers),
                              "analyser": {"fftSize": 2048, "smoothing": 0.8, "minDb": -100, "maxDb": -30}})


def test_the_stage_colour_is_rgb_from_0_to_1():
    plan = gpu_plan(project(background="#ff8000"))
    assert plan["stage"] == [1.0, 128 / 255, 0.0]
    assert gpu_plan(project(background="rgb(51 102 153)"))["stage"] == [0.2, 0.4, 0.6]


def test_no_layers_is_a_plan_of_the_stage_alone():
    assert gpu_plan(project(background="#000"))["layers"] == []


def test_each_layer_keeps_its_opacity_and_its_slice_is_its_project_position():
    plan = gpu_plan(project(layer("a", opacity=0.25), layer("b", opacity=1), layer("c", opacity=0.5)))
    assert [(entry["slice"], entry["opacity"]) for entry in plan["layers"]] == [(0, 0.25), (1, 1.0), (2, 0.5)]


def test_hidden_and_fully_transparent_layers_are_left_out_and_the_rest_keep_their_positions():
    plan = gpu_plan(project(layer("a", visible=False), layer("b"), layer("c", opacity=0), layer("d", opacity=0.1),
                            layer("e", visible=False, opacity=0)))
    assert [entry["slice"] for entry in plan["layers"]] == [1, 3]


def test_every_layer_entry_has_exactly_the_fields_the_shader_reads():
    (entry,) = gpu_plan(project(layer("a")))["layers"]
    assert set(entry) == {"slice", "mode", "opacity", "background"}


@pytest.mark.parametrize("index, mode", list(enumerate(BLEND_MODES)))
def test_the_mode_is_the_blend_modes_index_in_the_contract(index, mode):
    (entry,) = gpu_plan(project(layer("a", blendMode=mode)))["layers"]
    assert entry["mode"] == index


def test_the_contract_order_of_blend_modes_is_the_order_of_the_shaders_blend_list():
    # web/src/gl/compositor.js indexes its BLEND list by the plan's mode: a reordered contract would blend wrongly.
    assert BLEND_MODES == ("normal", "multiply", "screen", "overlay", "darken", "lighten", "color-dodge",
                           "color-burn", "hard-light", "soft-light", "difference", "exclusion", "hue",
                           "saturation", "color", "luminosity")


@pytest.mark.parametrize("css, want", [
    ("transparent", [0.0, 0.0, 0.0, 0.0]),
    ("#ff0000", [1.0, 0.0, 0.0, 1.0]),
    ("rgba(255, 0, 51, 0.5)", [0.5, 0.0, 0.1, 0.5]),
    ("#00ff0080", [0.0, 128 / 255, 0.0, 128 / 255]),
    ("rgb(0 0 255 / 0)", [0.0, 0.0, 0.0, 0.0]),
])
def test_the_layer_background_is_premultiplied_rgba_from_0_to_1(css, want):
    (entry,) = gpu_plan(project(layer("a", background=css)))["layers"]
    assert entry["background"] == pytest.approx(want, abs=1e-12)


def test_at_most_max_layers_visible_layers_are_accepted():
    layers = [layer(f"l{i}") for i in range(MAX_LAYERS)] + [layer("hidden", visible=False)]
    assert len(gpu_plan(project(*layers))["layers"]) == MAX_LAYERS == 32


def test_more_than_max_layers_visible_layers_are_refused_naming_project_layers():
    layers = [layer(f"l{i}") for i in range(MAX_LAYERS + 1)]
    with pytest.raises(InvalidProject) as info:
        gpu_plan(project(*layers))
    assert str(info.value) == "project.layers: at most 32 visible layers can be composited, this project has 33"
