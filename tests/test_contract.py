"""contract.json is the one source both languages read: its lists are what the core uses, and its colour
grammar accepts exactly what the compositor parses, in Python and in JavaScript alike."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources

import pytest
from node import run_node

from vizengine.audio.analysis import MAX_FFT_SIZE, MIN_FFT_SIZE, AnalyserConfig
from vizengine.errors import InvalidLayer
from vizengine.export import settings
from vizengine.frames import blend_modes
from vizengine.frames.compositing import parse_css_color
from vizengine.project import contract
from vizengine.project.contract import COLOR_PATTERN, CONTRACT

GOOD_COLOURS = [
    "transparent", "TRANSPARENT", " transparent\n", "#abc", "#ABCD", "#a1b2c3", "#A1B2C3D4",
    "  #11223380 ", "rgb(10, 20, 30)", "RGBA(10,20,30,.5)", " rgb( 10 ,20 , 30 ) ", "rgba(10, 20, 30)",
    "rgb(10, 20, 30, 40%)", "rgb(10 20 30)", "rgb(10 20 30 / 0.25)", "rgba( 1.5  2  3 /1 )",
    "rgb(100% 0% 50% / 50%)", "rgb(300, -5, 20)", "rgb(1e2, +2, 3.)", "rgb(1E999, 0, 0)",
    "rgb(\t1\t2\t3\t)",
]  # fmt: skip
BAD_COLOURS = [
    "", " ", "#", "#ab", "#abcde", "#abcdefa", "#abcdef012", "#ggg", "abc", "red", "hsl(0, 0%, 0%)",
    "rgb(1, 2)", "rgb(1, 2, 3, 4, 5)", "rgb(1, 2 3)", "rgb(1 2 3, 0.5)", "rgb(1, 2, 3 / 0.5)",
    "rgb 1 2 3", "rgb(a, b, c)", "rgb(nan, 0, 0)", "rgb(inf, 0, 0)", "rgb(1, 2, 3", "#abc;",
    "rgb(1, 2, .)", "rgb(1e, 2, 3)", "rgb(1 2 3 /)", "transparent transparent", "rgb(\u0663, 0, 0)",
    "tranſparent", "\u00a0#fff", "#fff\v", "rgb(1,\u20032, 3)",
]  # fmt: skip


def parses(text: str) -> bool:
    try:
        parse_css_color(text)
    except InvalidLayer:
        return False
    return True


def test_the_contract_is_read_from_package_data_so_an_installed_wheel_has_it():
    text = resources.files("vizengine.project").joinpath("contract.json").read_text(encoding="utf-8")
    assert json.loads(text) == CONTRACT
    assert CONTRACT["projectVersion"] == contract.PROJECT_VERSION == 2


def test_contract_keys_are_camel_case_for_the_page():
    # Resolution names and layer kinds are data (the page shows them), not field names.
    data_keyed = {"resolutions", "layerParams", "layerDefaults"}

    def keys(node, keyed_by_data=False):
        if isinstance(node, dict):
            for key, value in node.items():
                if not keyed_by_data:
                    yield key
                yield from keys(value, key in data_keyed)

    assert all(re.fullmatch(r"[a-z][A-Za-z]*", key) for key in keys(CONTRACT))


def test_blend_modes_are_the_16_w3c_modes_and_the_compositors_own_list():
    assert blend_modes.BLEND_MODES is contract.BLEND_MODES
    assert len(contract.BLEND_MODES) == 16
    assert contract.BLEND_MODES[0] == "normal" and contract.BLEND_MODES[-1] == "luminosity"


def test_export_settings_choices_come_from_the_contract():
    assert settings.RESOLUTIONS == {"720p": (1280, 720), "1080p": (1920, 1080), "1440p": (2560, 1440),
                                    "4k": (3840, 2160), "square": (1080, 1080), "vertical": (1080, 1920)}
    assert contract.CUSTOM_SIZE == {"min": 128, "max": 3840, "multipleOf": 2}
    assert (settings.FPS_CHOICES, settings.QUALITIES, settings.FORMATS) == (
        contract.FPS_CHOICES, contract.QUALITIES, contract.FORMATS)
    assert settings.ExportSettings(resolution="4k").size == (3840, 2160)


def test_fft_sizes_are_every_power_of_two_the_analysis_and_the_page_textures_take():
    sizes = contract.FFT_SIZES
    assert sizes[0] == MIN_FFT_SIZE and sizes[-1] == 8192 <= MAX_FFT_SIZE
    assert all(b == 2 * a for a, b in zip(sizes, sizes[1:]))
    for size in sizes:
        AnalyserConfig(fft_size=size)


def test_analyser_and_opacity_ranges_match_what_the_analysis_accepts():
    assert contract.SMOOTHING_RANGE == (0, 1) and contract.OPACITY_RANGE == (0, 1)
    AnalyserConfig(smoothing=contract.SMOOTHING_RANGE[0])
    AnalyserConfig(smoothing=contract.SMOOTHING_RANGE[1])
    assert CONTRACT["analyser"]["minDb"] == {"lessThan": "maxDb"}


def test_colour_examples_are_what_the_compositor_says_they_are():
    assert all(parses(text) for text in GOOD_COLOURS)
    assert not any(parses(text) for text in BAD_COLOURS)


@pytest.mark.parametrize("text", GOOD_COLOURS + BAD_COLOURS)
def test_colour_pattern_and_parse_css_color_accept_the_same_strings(text):
    assert bool(COLOR_PATTERN.fullmatch(text)) == parses(text)


def test_the_colour_hint_is_in_the_compositors_message():
    with pytest.raises(InvalidLayer, match=re.escape(contract.COLOR_HINT)):
        parse_css_color("bluish")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_reads_the_colour_pattern_the_same_way():
    # The page compiles it as `new RegExp(pattern, "i")` (web/src/contract.js).
    script = (
        "const [pattern, texts] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const re = new RegExp(pattern, 'i');"
        "process.stdout.write(JSON.stringify(texts.map((t) => re.test(t))));"
    )
    texts = GOOD_COLOURS + BAD_COLOURS
    out = run_node(script, [CONTRACT["color"]["pattern"], texts])
    assert dict(zip(texts, out)) == {t: parses(t) for t in texts}
