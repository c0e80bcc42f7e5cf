"""Each layer kind's parameters, checked against contract.json's `layerParams`.

The page builds the layer editor's controls from the same table, so a range or a default changes in one
place. A project may leave a parameter out (it gets the default); a parameter the kind does not have, or
a value outside its range, is named by its path in the JSON.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ..errors import InvalidProject
from .contract import LAYER_PARAMS

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# data:<mime>;base64,<payload>: what the page's file reader gives and what a project file embeds.
_DATA_URL = re.compile(r"data:([a-z]+/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)")
# Pillow's format names for the mime types the contract allows.
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}
# 8192 px a side is allowed, and a 40 MB file is plenty for it; beyond that a project is not portable.
MAX_IMAGE_BYTES = 40 * 1024 * 1024


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else '"' + value + '"'
    if isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "null"}[value]
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: object, spec: Mapping[str, Any], path: str, whole: bool) -> float | int:
    low, high = spec["min"], spec["max"]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if whole:
        ok = ok and float(value).is_integer()
    if not ok or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise InvalidProject(f"{path} must be {what} from {low:g} to {high:g} (got {_shown(value)})")
    return int(value) if whole else float(value)


def _choice(value: object, spec: Mapping[str, Any], path: str) -> str:
    if not isinstance(value, str) or value not in spec["choices"]:
        raise InvalidProject(f"{path} must be one of {', '.join(spec['choices'])} (got {_shown(value)})")
    return value


def _text(value: object, spec: Mapping[str, Any], path: str) -> str:
    if not isinstance(value, str) or len(value) > spec["maxLength"]:
        raise InvalidProject(f"{path} must be text of at most {spec['maxLength']} characters "
                             f"(got {_shown(value)})")
    return value


def _colour(value: object, path: str) -> str:
    if not isinstance(value, str) or not _HEX_COLOUR.fullmatch(value):
        raise InvalidProject(f"{path} must be a colour #rrggbb (got {_shown(value)})")
    return value.lower()


@lru_cache(maxsize=8)
def image_size(src: str, allowed: tuple[str, ...], max_side: int) -> tuple[int, int]:
    """Width and height of an embedded image, read from its header; raises ValueError saying why not.

    Cached: the page sends the project (with its images) at every re-plan and export start.
    """
    from PIL import Image  # Pillow is a dependency of the core; imported late to keep start-up lean

    match = _DATA_URL.fullmatch(src)
    if not match:
        raise ValueError("must be an image embedded as a data: URL (data:image/png;base64,...)")
    mime, payload = match.groups()
    if mime not in allowed:
        raise ValueError(f"is a {mime} file; the image types allowed are {', '.join(allowed)}")
    try:
        data = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"is {len(data) / 1e6:.1f} MB; at most {MAX_IMAGE_BYTES / 1e6:.0f} MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            kind = image.format
    except Exception:  # Pillow raises several types for a file that is not an image
        raise ValueError(f"is not a readable {mime} image") from None
    if kind != _PILLOW_FORMATS.get(mime):
        raise ValueError(f"says it is {mime} but holds {kind or 'something else'}")
    if max(width, height) > max_side:
        raise ValueError(f"is {width}x{height} px; at most {max_side} px a side")
    return width, height


def _image(value: object, spec: Mapping[str, Any], path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidProject(f"{path} must be an embedded image or null (got {_shown(value)})")
    try:
        image_size(value, tuple(spec["mimeTypes"]), spec["maxSide"])
    except ValueError as exc:
        raise InvalidProject(f"{path} {exc}") from None
    return value


def _value(value: object, spec: Mapping[str, Any], path: str) -> object:
    kind = spec["type"]
    if kind in ("number", "int"):
        return _number(value, spec, path, whole=kind == "int")
    if kind == "color":
        return _colour(value, path)
    if kind == "choice":
        return _choice(value, spec, path)
    if kind == "text":
        return _text(value, spec, path)
    if kind == "image":
        return _image(value, spec, path)
    raise AssertionError(f"contract.json: unknown parameter type {kind!r}")


def check_params(kind: str, params: object, path: str) -> Mapping[str, Any]:
    """The kind's full parameters (defaults for those left out), read-only; raises InvalidProject."""
    specs = LAYER_PARAMS[kind]
    if not isinstance(params, Mapping):
        raise InvalidProject(f"{path} must be a JSON object (got {_shown(params)})")
    for name in params:
        if name not in specs:
            known = ", ".join(specs)
            raise InvalidProject(f"{path}.{name} is not a parameter of a {kind} layer (known: {known})")
    checked = {name: _value(params.get(name, spec["default"]), spec, f"{path}.{name}")
               for name, spec in specs.items()}
    if "minHz" in checked and not checked["minHz"] < checked["maxHz"]:
        raise InvalidProject(f"{path}.minHz {checked['minHz']:g} must be below maxHz {checked['maxHz']:g}")
    return MappingProxyType(checked)


def default_params(kind: str) -> dict[str, Any]:
    return {name: spec["default"] for name, spec in LAYER_PARAMS[kind].items()}


__all__ = ["MAX_IMAGE_BYTES", "check_params", "default_params", "image_size"]
