"""One composited frame as the renderer hands it over, in the form its encoder asked for.

An encoder declares `wants`: PIXELS (`Frame`: RGBA bytes read back from the GPU, rows bottom-up, GL's
order; it then asks for JPEG bytes or top-down RGB, so nothing converts a frame nobody asked for) or
VIDEO_FRAME (`PageFrame`: a WebCodecs VideoFrame of the composited canvas that never leaves the page, so
there is no read-back, no JPEG and no copy through Python). A frame is valid until `close()`, which the
orchestrator calls once the encoder has taken it.
"""

from __future__ import annotations

import io

import numpy as np

from ..errors import InvalidSettings

PIXELS = "pixels"
VIDEO_FRAME = "video_frame"
FRAME_FORMS = (PIXELS, VIDEO_FRAME)


class Frame:
    form = PIXELS

    def __init__(self, rgba: np.ndarray) -> None:
        if not isinstance(rgba, np.ndarray) or rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
            raise ValueError(f"a frame is uint8 (height, width, 4) RGBA, got {getattr(rgba, 'shape', rgba)!r}")
        self._rgba = rgba

    @property
    def size(self) -> tuple[int, int]:
        height, width = self._rgba.shape[:2]
        return width, height

    def close(self) -> None:
        """The pixels buffer is reused for the next frame; nothing to release."""

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


class PageFrame:
    """A frame that stays in the page: `handle` is the page's VideoFrame, which an encoder passes back to
    the page as it is; `close` releases it (a VideoFrame holds a copy of the canvas until closed)."""

    form = VIDEO_FRAME

    def __init__(self, handle: object, size: tuple[int, int]) -> None:
        self.handle = handle
        self.size = size
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            close = getattr(self.handle, "close", None)
            if close is not None:
                close()
