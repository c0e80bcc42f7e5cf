"""One composited frame as the renderer hands it over: RGBA bytes, rows bottom-up (GL's order).

Encoders ask a frame for the form they need (JPEG bytes, top-down RGB pixels), so nothing converts
a frame that nobody asked for.
"""

from __future__ import annotations

import io

import numpy as np

from ..errors import InvalidSettings


class Frame:
    def __init__(self, rgba: np.ndarray) -> None:
        if not isinstance(rgba, np.ndarray) or rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
            raise ValueError(f"a frame is uint8 (height, width, 4) RGBA, got {getattr(rgba, 'shape', rgba)!r}")
        self._rgba = rgba

    @property
    def size(self) -> tuple[int, int]:
        height, width = self._rgba.shape[:2]
        return width, height

    def rgb(self) -> np.ndarray:
        """(height, width, 3) uint8, rows top-down: a copy, safe to keep after the next frame."""
        return np.ascontiguousarray(self._rgba[::-1, :, :3])

    def jpeg(self, quality: int) -> bytes:
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
            raise InvalidSettings(f"JPEG quality must be a whole number from 1 to 100, not {quality!r}")
        from PIL import Image  # only encoders that want JPEG make Pyodide load Pillow

        width, height = self.size
        # "RGBX" drops alpha and orientation -1 reads the rows bottom-up, in the one pass Pillow makes
        # anyway: no flipped or RGB copy of the frame.
        image = Image.frombuffer("RGB", (width, height), np.ascontiguousarray(self._rgba), "raw", "RGBX", 0, -1)
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=quality)
        return buf.getvalue()
