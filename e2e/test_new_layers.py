"""The text, image, particles and radial-spectrum layers (issue 12): each draws something, where its
parameters put it, and is deterministic — its slice for frame i is the same whether drawn after frames
0..i-1 or right after another frame (in_page_gpu.layer_determinism, as for the first three kinds).

The layers are added through the project document (window.vizengine.projectDocument), as the layer editor
and an opened project file add them.
"""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

import gpu_page
from vizengine.project.contract import CONTRACT, LAYER_PARAMS

LAYER_DEFAULTS = CONTRACT["layerDefaults"]

FPS = 30
START = "1.5"  # seconds into the demo: drums, bass and melody are all playing
BLUE = (51, 102, 204)


def truncated_png() -> str:
    """A PNG whose header is whole (its size reads) and whose pixels are cut off."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), BLUE).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()[:60]).decode()


def png_data_url(size=(40, 20), colour=BLUE) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


ADD_LAYERS = """async (specs) => {
  const v = window.vizengine;
  const doc = v.projectDocument.current();
  v.projectDocument.replace({...doc, layers: [...doc.layers, ...specs]});
  await v.host.layersReady();
  return v.layers().map((l) => l.id);
}"""


def layer_spec(kind: str, options: dict) -> dict:
    """A project layer of `kind` with the contract's default style and parameters, `options` over them."""
    params = {name: spec["default"] for name, spec in LAYER_PARAMS[kind].items()}
    extra = {k: v for k, v in options.items() if k != "id"}
    assert set(extra) <= set(params), extra
    return {"id": options["id"], "name": options["id"], "kind": kind, "visible": True, **LAYER_DEFAULTS[kind],
            "params": {**params, **extra}}


def add_layers(page, layers: list) -> list[str]:
    """Add layers on top through the project document, as the layer editor does; wait until they are ready."""
    return page.evaluate(ADD_LAYERS, [layer_spec(kind, options) for kind, options in layers])


NEW_LAYERS = [
    ["text", {"id": "title", "text": "Viz Engine", "font": "Playfair Display", "size": 0.1, "y": 0.2, "pulse": 0.5}],
    ["image", {"id": "cover", "src": png_data_url(), "x": 0.75, "y": 0.6, "size": 0.3, "fit": "cover", "pulse": 0.4}],
    ["particles", {"id": "dust", "count": 400, "seed": 7, "size": 4}],
    ["radial-spectrum", {"id": "ring", "x": 0.3, "y": 0.55}],
]


def test_the_new_layers_draw_the_same_bytes_for_a_frame_whatever_was_drawn_before(demo_page):
    ids = add_layers(demo_page, NEW_LAYERS)
    assert ids[-4:] == ["title", "cover", "dust", "ring"]
    gpu_page.install(demo_page)
    result = gpu_page.call(demo_page, "layer_determinism", width=1280, height=720, fps=FPS, start=START,
                           frames=12, frame=9, other=4)
    assert result["audio_frames_differ"]
    for layer_id in ("title", "cover", "dust", "ring"):
        layer = result["layers"][layer_id]
        where = f"layer {layer_id!r}, frame 9 after 0..9 vs right after frame 4"
        assert layer["identical"], f"{where}: {layer['differing_bytes']} bytes differ ({layer})"
        assert layer["covered_pixels"] > 0, f"{where}: the layer drew nothing"
        assert layer["pixels_changed_by_other_frame"] > 0, f"{where}: frame 4 drew the same pixels"
    assert result["composite_identical"]
    print({k: (v["covered_pixels"], v["pixels_changed_by_other_frame"]) for k, v in result["layers"].items()})


@pytest.mark.parametrize("width, height", [(1280, 720), (720, 720), (720, 1280)])
def test_text_and_image_are_where_their_parameters_put_them_on_any_frame_shape(demo_page, width, height):
    add_layers(demo_page, [
        ["text", {"id": "title", "text": "HELLO", "font": "JetBrains Mono", "weight": "bold", "size": 0.08,
                  "x": 0.3, "y": 0.25, "align": "center", "color": "#ff0000"}],
        ["text", {"id": "left", "text": "Artist", "font": "Inter", "weight": "normal", "size": 0.05,
                  "x": 0.1, "y": 0.8, "align": "left"}],
        ["image", {"id": "cover", "src": png_data_url((40, 20)), "x": 0.7, "y": 0.5, "size": 0.2, "fit": "contain"}],
    ])
    gpu_page.install(demo_page)
    centre = [int(0.7 * width), int(0.5 * height)]
    got = gpu_page.call(demo_page, "layer_footprints", width=width, height=height, fps=FPS, start=START, frames=2,
                        frame=1, points=[centre])
    unit = min(width, height)

    x0, y0, x1, y1 = got["title"]["box"]
    assert abs((x0 + x1) / 2 - 0.3 * width) <= 0.01 * width, got["title"]
    assert abs((y0 + y1) / 2 - 0.25 * height) <= 0.03 * unit, got["title"]
    # Capitals of an 0.08 * unit font: about 0.7 of it tall, 5 monospaced letters about 3 em wide.
    assert 0.04 * unit < y1 - y0 < 0.09 * unit, got["title"]
    assert 0.15 * unit < x1 - x0 < 0.3 * unit, got["title"]

    x0, y0, x1, y1 = got["left"]["box"]
    assert abs(x0 - 0.1 * width) <= 0.01 * unit, got["left"]  # left-aligned: it starts at x
    assert abs((y0 + y1) / 2 - 0.8 * height) <= 0.03 * unit, got["left"]

    # contain: a 2:1 picture in a box of 0.2 of the frame each way.
    box = got["cover"]["box"]
    assert got["cover"]["at"][0] == [*BLUE, 255], got["cover"]
    scale = min(0.2 * width / 40, 0.2 * height / 20)
    assert abs((box[2] - box[0] + 1) - 40 * scale) <= 2, (box, scale)
    assert abs((box[3] - box[1] + 1) - 20 * scale) <= 2, (box, scale)


def test_the_fonts_come_with_the_site_and_a_broken_image_names_its_layer(demo_page, site_url):
    add_layers(demo_page, [["text", {"id": f"t{i}", "text": "Abc", "font": font, "weight": weight}]
                           for i, (font, weight) in enumerate([("Inter", "bold"), ("Playfair Display", "normal"),
                                                                ("JetBrains Mono", "bold")])])
    loaded = demo_page.evaluate("""() => ['700 20px "Inter"', '400 20px "Playfair Display"', '700 20px "JetBrains Mono"']
        .map((font) => document.fonts.check(font, 'Abc'))""")
    assert loaded == [True, True, True]
    fonts = [url for url in demo_page.requests if ".woff" in url]
    assert fonts and all(url.startswith(site_url) for url in fonts), fonts
    assert all(url.startswith(site_url) or url.startswith("data:") or url.startswith("blob:")
               for url in demo_page.requests), [u for u in demo_page.requests if not u.startswith(site_url)][:5]

    # Pillow (Python's check of the project) reads this header, the browser cannot decode the rest.
    message = demo_page.evaluate("""async (spec) => {
      const v = window.vizengine;
      const doc = v.projectDocument.current();
      try { v.projectDocument.replace({...doc, layers: [...doc.layers, spec]}); } catch (error) { return `refused: ${error.message}`; }
      return v.host.layersReady().then(() => 'decoded?!', (error) => error.message);
    }""", layer_spec("image", {"id": "broken", "src": truncated_png()}))
    assert message.startswith('Image layer "broken": the image could not be decoded'), message


def test_particles_rest_without_a_track_and_follow_the_tracks_features(page):
    add_layers(page, [["particles", {"id": "dust", "count": 50, "seed": 3}]])
    at = """(t) => { const l = window.vizengine.layers().find((x) => x.id === 'dust');
      const r = window.vizengine.renderer; r.targets.bind(0); l.draw(t, 0, 640, 360);
      return Array.from(l.instances.slice(0, 8)); }"""
    assert page.evaluate(at, 0) == page.evaluate(at, 5), "particles moved without a track"
    from vizengine.cli.driver import load_demo

    load_demo(page)
    page.evaluate("() => window.vizengine.host.layersReady()")
    assert page.evaluate(at, 0) != page.evaluate(at, 5), "particles did not move with the demo's features"
    # Deterministic: the same time gives the same places, whatever was drawn in between.
    first = page.evaluate(at, 3.25)
    page.evaluate(at, 9)
    assert page.evaluate(at, 3.25) == first


def test_paused_preview_with_the_new_layers_is_the_exported_frame(demo_page):
    """Through export_video (so through host.layersReady): the paused preview at 75/30 s is frame 75."""
    from test_preview_equals_export import SEEK_AND_SETTLE_JS

    add_layers(demo_page, NEW_LAYERS)
    gpu_page.install(demo_page)
    demo_page.evaluate("([w, h]) => window.vizengine.stage.setPreviewSize(w, h)", [1280, 720])
    settled = demo_page.evaluate(SEEK_AND_SETTLE_JS, [75 / FPS, FPS])
    assert settled["drawn"] >= 1 and settled["size"] == [1280, 720], settled
    gpu_page.call(demo_page, "keep_preview", width=1280, height=720)
    result = gpu_page.call(demo_page, "compare_with_export", resolution="720p", fps=FPS, frame=75)
    assert result["phase"] == "complete" and result["frames"] == 76, result
    assert max(result["max"]) <= 2 and max(result["mean"]) <= 0.5, result
    print("identical" if result["identical"] else "", result["max"], result["mean"])


def test_the_new_layers_work_under_the_content_security_policy(browser, site_url):
    """Fonts from the site (font-src 'self'), the image decoded from its data: URL without an <img> or a
    fetch, the features from Python: not one violation."""
    from test_content_security_policy import RECORD_VIOLATIONS

    from vizengine.cli.driver import load_demo, open_app

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = context.new_page()
        open_app(page, site_url)
        load_demo(page)
        assert page.evaluate("() => document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]') !== null")
        ids = add_layers(page, [*NEW_LAYERS, ["text", {"id": "mono", "text": "Abc", "font": "JetBrains Mono"}],
                                ["text", {"id": "sans", "text": "Abc", "font": "Inter", "weight": "normal"}]])
        assert ids[-6:] == ["title", "cover", "dust", "ring", "mono", "sans"]
        page.evaluate("async () => { window.vizengine.playback.seek(2); await window.vizengine.app.show_paused_frame(2, 30);"
                      " window.vizengine.preview.drawNow(); }")
        assert page.evaluate("() => window.__violations") == []
    finally:
        context.close()
