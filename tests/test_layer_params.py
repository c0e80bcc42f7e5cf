"""Each layer kind's parameters: defaults filled in, ranges from contract.json, images checked inside."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from vizengine.errors import InvalidProject
from vizengine.project.contract import CONTRACT, LAYER_KINDS, LAYER_PARAMS
from vizengine.project.layer_params import check_params, default_params


def data_url(width: int, height: int, fmt: str = "PNG", mime: str = "image/png") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(buffer, fmt)
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def message(kind: str, params: dict) -> str:
    with pytest.raises(InvalidProject) as info:
        check_params(kind, params, "p")
    return str(info.value)


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_every_kind_has_params_whose_defaults_pass_their_own_checks(kind):
    assert set(CONTRACT["layerDefaults"]) == set(LAYER_KINDS) == set(LAYER_PARAMS)
    assert dict(check_params(kind, {}, "p")) == {
        name: (value.lower() if isinstance(value, str) and value.startswith("#") else value)
        for name, value in default_params(kind).items()
    }


def test_numbers_come_back_as_floats_and_whole_numbers_as_ints():
    params = check_params("particles", {"count": 12.0, "size": 2}, "p")
    assert params["count"] == 12 and type(params["count"]) is int
    assert params["size"] == 2.0 and type(params["size"]) is float


def test_colours_are_hex_and_lower_cased():
    assert check_params("waveform", {"color": "#ABCDEF"}, "p")["color"] == "#abcdef"
    assert message("waveform", {"color": "#abc"}) == 'p.color must be a colour #rrggbb (got "#abc")'


def test_text_has_a_length_limit_and_choices_are_listed():
    assert message("text", {"text": "x" * 201}).startswith("p.text must be text of at most 200 characters")
    assert message("text", {"font": "Comic Sans"}) == (
        'p.font must be one of Inter, Playfair Display, JetBrains Mono (got "Comic Sans")')
    assert check_params("text", {"text": ""}, "p")["text"] == ""


def test_an_embedded_png_is_accepted_and_no_image_is_null():
    src = data_url(40, 20)
    assert check_params("image", {"src": src}, "p")["src"] == src
    assert check_params("image", {}, "p")["src"] is None


def test_an_image_that_is_not_an_image_is_named():
    fake = "data:image/png;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()
    assert message("image", {"src": fake}) == "p.src is not a readable image/png image"


def test_an_image_of_a_type_not_allowed_is_named():
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    assert message("image", {"src": svg}).startswith("p.src is a image/svg+xml file; the image types allowed")


def test_an_image_whose_type_lies_is_named():
    assert message("image", {"src": data_url(8, 8, "JPEG", "image/png")}) == (
        "p.src says it is image/png but holds JPEG")


def test_an_image_over_8192_px_a_side_is_refused():
    assert message("image", {"src": data_url(8193, 2)}) == "p.src is 8193x2 px; at most 8192 px a side"


def test_an_image_that_is_a_link_not_embedded_is_refused():
    assert message("image", {"src": "https://example.com/cover.png"}).startswith(
        "p.src must be an image embedded as a data: URL")
