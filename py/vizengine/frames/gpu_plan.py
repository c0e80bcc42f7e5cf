"""The composite plan as the page's WebGL compositor takes it (web/src/gl/compositor.js).

Python owns the plan: it validates the project's styles, drops what cannot show, and turns colours
into the premultiplied floats the shader blends with. The numpy `Compositor` is the reference the
GPU result is tested against, built from the same `CompositePlan`.
"""

from __future__ import annotations

from ..errors import InvalidProject
from ..project.contract import BLEND_MODES
from ..project.description import Project
from .compositing import parse_css_color

# The shader's uniform arrays (MAX_LAYERS in compositor.js).
MAX_LAYERS = 32


def gpu_plan(project: Project) -> dict:
    """{"stage": [r, g, b], "layers": [{"slice", "mode", "opacity", "background"}]}, bottom to top.

    `slice` is the layer's position in the project, which is where the page draws it; hidden and
    fully transparent layers are left out, as they change no pixel.
    """
    layers = []
    for index, layer in enumerate(project.layers):
        if not layer.visible or layer.opacity == 0.0:
            continue
        r, g, b, a = parse_css_color(layer.background)
        layers.append({
            "slice": index,
            "mode": BLEND_MODES.index(layer.blend_mode),
            "opacity": float(layer.opacity),
            "background": [r * a / 255.0, g * a / 255.0, b * a / 255.0, a],
        })
    if len(layers) > MAX_LAYERS:
        raise InvalidProject(f"project.layers: at most {MAX_LAYERS} visible layers can be composited, "
                             f"this project has {len(layers)}")
    r, g, b, _ = parse_css_color(project.background)
    return {"stage": [r / 255.0, g / 255.0, b / 255.0], "layers": layers}
