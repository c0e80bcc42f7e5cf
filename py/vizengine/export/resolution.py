"""An export's resolution: a preset named in the contract ("1080p", "vertical", …) or a custom "WxH".

Both the dialog and the CLI send text; `read_resolution` turns it into one canonical name so that the
same frame size always gets the same manifest key and file name: a custom size that equals a preset
becomes that preset's name ("1080x1920" is "vertical"), any other is written "WxH" with no spaces.
"""

from __future__ import annotations

import re

from ..errors import InvalidSettings
from ..project.contract import CUSTOM_SIZE, RESOLUTIONS

# "1280x960", also "1280 x 960", "1280X960" or "1280×960" as a person may type it.
_CUSTOM = re.compile(r"\s*(\d+)\s*[x×]\s*(\d+)\s*", re.IGNORECASE)
_PRESET_OF_SIZE = {size: name for name, size in RESOLUTIONS.items()}


def custom_size_problem(width: int, height: int) -> str | None:
    """Why width x height cannot be exported, or None. The page shows the same sentences
    (web/src/ui/resolution-field.js), from the same limits in contract.json."""
    low, high, step = CUSTOM_SIZE["min"], CUSTOM_SIZE["max"], CUSTOM_SIZE["multipleOf"]
    for side, value in (("width", width), ("height", height)):
        if not low <= value <= high:
            return f"{side} must be from {low} to {high} pixels"
        if value % step:
            # yuv420p (x264, VP8/VP9) and WebCodecs' 4:2:0 halve each side for chroma
            return f"{side} must be even"
    return None


def read_resolution(value: object) -> str:
    """The canonical name of a resolution: a preset's name, or "WxH". Raises InvalidSettings naming the
    field and the value."""
    text = value.strip().lower() if isinstance(value, str) else value
    if text in RESOLUTIONS:
        return text
    match = _CUSTOM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        allowed = ", ".join(RESOLUTIONS)
        raise InvalidSettings(f"resolution must be one of {allowed} or a size WxH such as 1280x960 (got {value!r})")
    width, height = int(match[1]), int(match[2])
    problem = custom_size_problem(width, height)
    if problem:
        raise InvalidSettings(f"resolution {width}x{height}: {problem}")
    return _PRESET_OF_SIZE.get((width, height), f"{width}x{height}")


def resolution_size(name: str) -> tuple[int, int]:
    """(width, height) of a canonical name (see read_resolution)."""
    if name in RESOLUTIONS:
        return RESOLUTIONS[name]
    width, height = name.split("x")
    return int(width), int(height)
