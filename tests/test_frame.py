"""vizengine.frames.frame.Frame: one composited frame as read back (RGBA, rows bottom-up), and the forms
encoders ask it for: top-down RGB and JPEG."""

import io

import numpy as np
import pytest
from PIL import Image

from vizengine.errors import InvalidSettings
from vizengine.frames.frame import Frame


def bottom_up(top_down_rgb: np.ndarray) -> np.ndarray:
    """The RGBA frame, rows bottom-up as gl.readPixels gives them, of a top-down RGB picture."""
    h, w = top_down_rgb.shape[:2]
    rgba = np.full((h, w, 4), 255, dtype=np.uint8)
    rgba[..., :3] = top_down_rgb[::-1]
    return rgba


def decoded(jpeg: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(jpeg)) as im:
        assert im.format == "JPEG"
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def test_size_is_width_then_height():
    assert Frame(np.zeros((36, 64, 4), np.uint8)).size == (64, 36)


def test_rgb_flips_the_rows_to_top_down_and_drops_alpha():
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
    rgb = Frame(rgba).rgb()
    assert rgb.shape == (5, 7, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    np.testing.assert_array_equal(rgb, rgba[::-1, :, :3])


def test_rgb_is_a_copy_that_outlives_the_next_frame_in_the_same_buffer():
    rgba = np.zeros((2, 3, 4), np.uint8)
    frame = Frame(rgba)
    kept = frame.rgb()
    rgba[...] = 200  # the renderer reads the next frame into the same buffer
    assert np.all(kept == 0) and np.all(frame.rgb() == 200)


def test_jpeg_of_a_bottom_up_frame_decodes_top_down():
    picture = np.zeros((48, 64, 3), np.uint8)
    picture[:12] = (250, 20, 20)  # red across the top of the picture
    picture[-12:] = (20, 20, 250)  # blue across the bottom
    back = decoded(Frame(bottom_up(picture)).jpeg(90))
    assert back.shape == (48, 64, 3)
    assert np.abs(back[:8] - (250, 20, 20)).max() < 12
    assert np.abs(back[-8:] - (20, 20, 250)).max() < 12


def test_jpeg_round_trips_size_and_pixels_closely():
    y, x = np.mgrid[0:48, 0:64]
    picture = np.stack([x * 4, y * 5, (x + y) * 2], axis=-1).astype(np.uint8)
    data = Frame(bottom_up(picture)).jpeg(90)
    assert isinstance(data, bytes) and data[:2] == b"\xff\xd8"
    assert np.abs(decoded(data) - picture).mean() < 2.0


def test_jpeg_ignores_alpha():
    picture = np.random.default_rng(9).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    opaque = bottom_up(picture)
    clear = opaque.copy()
    clear[..., 3] = 0
    assert Frame(clear).jpeg(90) == Frame(opaque).jpeg(90)


def test_jpeg_of_a_non_contiguous_view_equals_that_of_a_contiguous_copy_and_quality_changes_size():
    rng = np.random.default_rng(8)
    big = rng.integers(0, 256, (32, 80, 4), dtype=np.uint8)
    view = big[:, ::2]  # every other column: not contiguous
    assert not view.flags.c_contiguous
    assert Frame(view).jpeg(95) == Frame(np.ascontiguousarray(view)).jpeg(95)
    with Image.open(io.BytesIO(Frame(view).jpeg(95))) as im:
        assert im.size == (40, 32)
    assert len(Frame(view).jpeg(20)) < len(Frame(view).jpeg(95))


@pytest.mark.parametrize("quality", [0, 101, 90.0, True, "90"])
def test_jpeg_rejects_bad_quality(quality):
    with pytest.raises(InvalidSettings, match="JPEG quality must be a whole number from 1 to 100"):
        Frame(np.zeros((2, 2, 4), np.uint8)).jpeg(quality)


@pytest.mark.parametrize("rgba", [np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 4)), np.zeros((2, 8), np.uint8),
                                  [[[0, 0, 0, 0]]]])
def test_a_frame_must_be_uint8_height_width_rgba(rgba):
    with pytest.raises(ValueError, match=r"a frame is uint8 \(height, width, 4\) RGBA"):
        Frame(rgba)
