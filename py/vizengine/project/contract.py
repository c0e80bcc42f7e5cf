"""The contracts the page and the core must agree on, read once from contract.json.

The page imports the same JSON file (Vite bundles it), so a blend mode, a resolution or the colour grammar
changes in one place for both languages. It is read through importlib.resources so that it is found in
an installed wheel and in the zip Pyodide unpacks, not only in a source tree.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

CONTRACT: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("contract.json").read_text(encoding="utf-8")
)

PROJECT_VERSION: int = CONTRACT["projectVersion"]
BLEND_MODES: tuple[str, ...] = tuple(CONTRACT["blendModes"])
LAYER_KINDS: tuple[str, ...] = tuple(CONTRACT["layerKinds"])
# Per kind: {name: {"type", "default", ranges...}}; the page's layer editor builds its controls from it.
LAYER_PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    kind: entry["params"] for kind, entry in CONTRACT["layerParams"].items()
}
LAYER_DEFAULT_STYLES: dict[str, dict[str, Any]] = CONTRACT["layerDefaults"]
OPACITY_RANGE: tuple[float, float] = (CONTRACT["opacity"]["min"], CONTRACT["opacity"]["max"])
FFT_SIZES: tuple[int, ...] = tuple(CONTRACT["analyser"]["fftSizes"])
SMOOTHING_RANGE: tuple[float, float] = (
    CONTRACT["analyser"]["smoothing"]["min"],
    CONTRACT["analyser"]["smoothing"]["max"],
)

_settings = CONTRACT["settings"]
RESOLUTIONS: dict[str, tuple[int, int]] = {
    name: (width, height) for name, (width, height) in _settings["resolutions"].items()
}
# Besides the presets, a custom "WxH": each side even (4:2:0 chroma halves both) and inside these limits.
CUSTOM_SIZE: dict[str, int] = dict(_settings["customSize"])
FPS_CHOICES: tuple[int, ...] = tuple(_settings["fps"])
QUALITIES: tuple[str, ...] = tuple(_settings["qualities"])
FORMATS: tuple[str, ...] = tuple(_settings["formats"])
# auto: WebCodecs where the browser says it can encode the codec at that size, else ffmpeg.wasm.
ENCODERS: tuple[str, ...] = tuple(_settings["encoders"])
SETTINGS_DEFAULTS: dict[str, Any] = dict(_settings["defaults"])
MAX_ENCODE_WORKERS: int = _settings["maxEncodeWorkers"]

# The page compiles the same text as `new RegExp(pattern, "i")`. re.ASCII keeps Python's case folding
# and classes to ASCII as JavaScript's are without the "u" flag (Python alone would fold "ſ" to "s").
# Groups: 1 hex digits; 2-5 r, g, b, alpha of the comma syntax; 6-9 the same of the space syntax.
COLOR_PATTERN: re.Pattern[str] = re.compile(CONTRACT["color"]["pattern"], re.IGNORECASE | re.ASCII)
COLOR_HINT: str = CONTRACT["color"]["hint"]

# Start and duration as a user types them: seconds ("12.5") or m:ss(.fff) ("1:05.250"), with an optional
# sign so that "-1" gets "must not be negative" rather than "not a time". Match with fullmatch: Python's
# "$" would also accept a trailing newline, JavaScript's does not. Groups: 1 sign; 2 minutes and 3 seconds
# of m:ss; 4 plain seconds.
TIME_PATTERN: re.Pattern[str] = re.compile(CONTRACT["time"]["pattern"])
TIME_HINT: str = CONTRACT["time"]["hint"]

__all__ = [
    "BLEND_MODES",
    "COLOR_HINT",
    "COLOR_PATTERN",
    "CONTRACT",
    "CUSTOM_SIZE",
    "FFT_SIZES",
    "ENCODERS",
    "FORMATS",
    "FPS_CHOICES",
    "LAYER_DEFAULT_STYLES",
    "LAYER_KINDS",
    "LAYER_PARAMS",
    "MAX_ENCODE_WORKERS",
    "OPACITY_RANGE",
    "PROJECT_VERSION",
    "QUALITIES",
    "RESOLUTIONS",
    "SETTINGS_DEFAULTS",
    "SMOOTHING_RANGE",
    "TIME_HINT",
    "TIME_PATTERN",
]
