"""The versioned project description: the page's JSON (camelCase) in, typed and validated objects out.

`Project.from_json` is the one place that reads the page's spelling; everything after it uses Python
names. Every message names the bad field by its path in the JSON, e.g. `project.layers[1].opacity`, so
the page can show it next to the field and a hand-edited project file points at its own mistake.

The typed objects validate themselves too (constructed directly, they hold only valid values); their
messages start at their own field (`opacity must be ...`) and `from_json` prefixes where they sit.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from ..errors import InvalidLayer, InvalidProject
from ..frames.compositing import CompositePlan, LayerStyle, parse_css_color
from .layer_params import check_params
from .contract import (
    BLEND_MODES,
    COLOR_HINT,
    FFT_SIZES,
    LAYER_KINDS,
    OPACITY_RANGE,
    PROJECT_VERSION,
    SMOOTHING_RANGE,
)

_T = TypeVar("_T")

# JSON name -> Python name, in the order to_json writes them.
_PROJECT_FIELDS = {"version": "version", "background": "background", "analyser": "analyser",
                   "layers": "layers"}
_ANALYSER_FIELDS = {"fftSize": "fft_size", "smoothing": "smoothing", "minDb": "min_db",
                    "maxDb": "max_db"}
_LAYER_FIELDS = {"id": "id", "name": "name", "kind": "kind", "visible": "visible", "opacity": "opacity",
                 "blendMode": "blend_mode", "background": "background", "params": "params"}
# Version 1 had no names; a layer left without one is called by its id.
_LAYER_OPTIONAL = frozenset({"name", "visible", "params"})
MAX_NAME_LENGTH = 80


# --- checks: each takes the field's path for its message and returns the normalised value ---------


def _shown(value: object) -> str:
    # The page's user wrote JSON, so show JSON (`true`, not `True`), cut short for whole objects.
    try:
        text = json.dumps(_thaw(value), allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: object) -> bool:
    # bool is an int in Python, but `opacity: true` is a bug in the project, not 1.0.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: object, path: str, low: float | None = None, high: float | None = None) -> float:
    if _is_number(value) and math.isfinite(value) and (low is None or low <= value <= high):
        return float(value)
    if low is None:
        raise InvalidProject(f"{path} must be a finite number (got {_shown(value)})")
    raise InvalidProject(f"{path} must be a number from {low:g} to {high:g} (got {_shown(value)})")


def _one_of(value: object, choices: tuple, path: str) -> Any:
    # `value in choices` alone would let True through as 1 and 2048.0 as 2048.
    if not any(type(value) is type(c) and value == c for c in choices):
        allowed = ", ".join(str(c) for c in choices)
        raise InvalidProject(f"{path} must be one of {allowed} (got {_shown(value)})")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidProject(f"{path} must be non-empty text (got {_shown(value)})")
    return value


def _colour(value: object, path: str) -> float:
    """Check a CSS colour in the contract's grammar; returns its alpha."""
    try:
        return parse_css_color(value)[3]  # type: ignore[arg-type]
    except InvalidLayer:
        raise InvalidProject(f"{path} must be {COLOR_HINT} (got {_shown(value)})") from None


def _version(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidProject(f"project.version must be a whole number from 1 (got {_shown(value)})")
    if value > PROJECT_VERSION:
        raise InvalidProject(
            f"project.version {value} is newer than this app understands ({PROJECT_VERSION})"
        )
    return value


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _json_value(value: object, path: str) -> object:
    """Check a JSON value and make it immutable: objects become read-only mappings, arrays tuples."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if _is_number(value):
        if not math.isfinite(value):
            raise InvalidProject(f"{path} must be a finite number (got {_shown(value)})")
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_json_value(item, f"{path}[{i}]") for i, item in enumerate(value))
    if isinstance(value, Mapping):
        return _json_object(value, path)
    raise InvalidProject(f"{path} must be a JSON value (got {_shown(value)})")


def _json_object(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidProject(f"{path} must be a JSON object (got {_shown(value)})")
    frozen = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidProject(f"{path} has a key that is not text: {key!r}")
        frozen[key] = _json_value(item, _key_path(path, key))
    return MappingProxyType(frozen)


def _thaw(value: object) -> object:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


def _fields(obj: object, path: str, names: Mapping[str, str], optional: frozenset[str] = frozenset()) -> dict:
    """Read a JSON object's fields into Python names; unknown and missing keys are named."""
    if not isinstance(obj, Mapping):
        raise InvalidProject(f"{path} must be a JSON object (got {_shown(obj)})")
    for key in obj:
        if key not in names:
            known = ", ".join(names)
            raise InvalidProject(f"{_key_path(path, str(key))} is not a known field (known: {known})")
    for key in names:
        if key not in obj and key not in optional:
            raise InvalidProject(f"{path}.{key} is missing")
    return {names[key]: value for key, value in obj.items()}


def _within(path: str, build: Callable[[], _T]) -> _T:
    """Run a constructor whose messages start at its own fields, naming where it sits instead."""
    try:
        return build()
    except InvalidProject as exc:
        raise InvalidProject(f"{path}.{exc}") from None


# --- the typed description -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyserSettings:
    """The AnalyserNode settings shared by the live preview and the export's offline analysis."""

    fft_size: int
    smoothing: float
    min_db: float
    max_db: float

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "fft_size", _one_of(self.fft_size, FFT_SIZES, "fftSize"))
        set_(self, "smoothing", _number(self.smoothing, "smoothing", *SMOOTHING_RANGE))
        set_(self, "min_db", _number(self.min_db, "minDb"))
        set_(self, "max_db", _number(self.max_db, "maxDb"))
        if not self.min_db < self.max_db:
            # The AnalyserNode refuses it too: the dB-to-byte scale divides by their difference.
            raise InvalidProject(f"minDb {self.min_db:g} must be below maxDb {self.max_db:g}")


@dataclass(frozen=True)
class LayerSpec:
    """One layer: what it draws (kind, params) and how the stage composites it (the CSS styles)."""

    id: str
    kind: str
    visible: bool
    opacity: float
    blend_mode: str
    background: str
    # The kind's every parameter (defaults filled in), checked against contract.json's layerParams;
    # read-only so a frozen project stays frozen; not hashed, as mappings are not.
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # What the layer editor shows; the id stays fixed so a rename keeps the layer's identity.
    name: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _text(self.id, "id")
        _one_of(self.kind, LAYER_KINDS, "kind")
        if not self.name:
            set_(self, "name", self.id)
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME_LENGTH:
            raise InvalidProject(f"name must be text of at most {MAX_NAME_LENGTH} characters "
                                 f"(got {_shown(self.name)})")
        if not isinstance(self.visible, bool):
            raise InvalidProject(f"visible must be true or false (got {_shown(self.visible)})")
        set_(self, "opacity", _number(self.opacity, "opacity", *OPACITY_RANGE))
        _one_of(self.blend_mode, BLEND_MODES, "blendMode")
        _colour(self.background, "background")
        set_(self, "params", check_params(self.kind, _json_object(self.params, "params"), "params"))


@dataclass(frozen=True)
class Project:
    """The whole description: stage background, analyser settings and layers bottom to top."""

    version: int
    background: str
    analyser: AnalyserSettings
    layers: tuple[LayerSpec, ...]

    def __post_init__(self) -> None:
        _version(self.version)
        alpha = _colour(self.background, "project.background")
        if alpha != 1.0:
            # Whatever shows through a translucent stage is page, not project, and an export has no page.
            raise InvalidProject(
                f"project.background must be opaque (alpha 1): {_shown(self.background)} has alpha {alpha:g}"
            )
        if not isinstance(self.analyser, AnalyserSettings):
            raise InvalidProject(f"project.analyser must be AnalyserSettings (got {self.analyser!r})")
        if not isinstance(self.layers, (list, tuple)):
            raise InvalidProject(f"project.layers must be a list of layers (got {_shown(self.layers)})")
        layers = tuple(self.layers)
        first: dict[str, int] = {}
        for i, layer in enumerate(layers):
            if not isinstance(layer, LayerSpec):
                raise InvalidProject(f"project.layers[{i}] must be a LayerSpec (got {layer!r})")
            if layer.id in first:
                raise InvalidProject(
                    f"project.layers[{i}].id {_shown(layer.id)} is already the id of "
                    f"project.layers[{first[layer.id]}]; layer ids must be unique"
                )
            first[layer.id] = i
        object.__setattr__(self, "layers", layers)

    @classmethod
    def from_json(cls, obj: object) -> Project:
        """Read the page's JSON (parsed: dicts, lists, numbers, text); raises InvalidProject."""
        if not isinstance(obj, Mapping):
            raise InvalidProject(f"project must be a JSON object (got {_shown(obj)})")
        # The version first: a newer app's project may well have fields this one does not know.
        if "version" not in obj:
            raise InvalidProject("project.version is missing")
        _version(obj["version"])
        values = _fields(obj, "project", _PROJECT_FIELDS)
        analyser = _fields(values["analyser"], "project.analyser", _ANALYSER_FIELDS)
        values["analyser"] = _within("project.analyser", lambda: AnalyserSettings(**analyser))
        layers = values["layers"]
        if not isinstance(layers, (list, tuple)):
            raise InvalidProject(f"project.layers must be a list of layers (got {_shown(layers)})")
        values["layers"] = tuple(_layer(item, f"project.layers[{i}]") for i, item in enumerate(layers))
        # Read means upgraded: an older project gets names and default parameters, and is written back
        # in this version's form.
        values["version"] = PROJECT_VERSION
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The page's JSON for this project; `Project.from_json(p.to_json()) == p`."""
        analyser = {key: getattr(self.analyser, name) for key, name in _ANALYSER_FIELDS.items()}
        layers = [
            {key: _thaw(getattr(layer, name)) for key, name in _LAYER_FIELDS.items()}
            for layer in self.layers
        ]
        return {"version": self.version, "background": self.background, "analyser": analyser,
                "layers": layers}

    def analyser_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for vizengine.audio.analysis.analyse: fft_size, smoothing, min_db, max_db."""
        return dataclasses.asdict(self.analyser)


def _layer(obj: object, path: str) -> LayerSpec:
    values = _fields(obj, path, _LAYER_FIELDS, _LAYER_OPTIONAL)
    values.setdefault("visible", True)
    return _within(path, lambda: LayerSpec(**values))


def composite_plan(project: Project, width: int, height: int) -> CompositePlan:
    """The compositor's plan for the project's visible layers at an export's size."""
    layers = tuple(
        LayerStyle(layer.id, layer.opacity, layer.blend_mode, layer.background)
        for layer in project.layers
        if layer.visible
    )
    return CompositePlan(width, height, project.background, layers)


__all__ = ["AnalyserSettings", "LayerSpec", "Project", "composite_plan"]
