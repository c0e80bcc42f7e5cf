"""What the WebCodecs encoder asks the browser for: codec strings, bit rates, key frames. Pure, so it is
unit-tested here and the page only executes it (web/src/encode/webcodecs-runtime.js).

MP4 is H.264 (High profile) + AAC, the AAC made by ffmpeg.wasm from the trimmed WAV since WebCodecs has no
AAC encoder on Linux; WebM is VP9 + Opus, both from WebCodecs (ffmpeg.wasm's libvpx-vp9 and libopus crash
in this browser).

Bit rates are bits per pixel per frame, as for the ffmpeg path's VP8 (encoding.py): the same quality
holds from 720p30 to 4K120. WebCodecs offers no CRF, so these are variable-bit-rate targets:

| quality | H.264 bpp | VP9 bpp | Opus | 720p30 H.264 / VP9 | 1080p60 H.264 / VP9 |
|---|---|---|---|---|---|
| high    | 0.10  | 0.07  | 160 kb/s | 2.8 / 1.9 Mb/s | 12.4 / 8.7 Mb/s |
| medium  | 0.06  | 0.042 | 128 kb/s | 1.7 / 1.2 Mb/s | 7.5 / 5.2 Mb/s |
| low     | 0.035 | 0.025 | 96 kb/s  | 1.0 / 0.7 Mb/s | 4.4 / 3.1 Mb/s |

(x264 for comparison, encoding.py: CRF 18 / 22 / 26, veryfast / faster / ultrafast; VP8: 0.10 / 0.06 /
0.035 bpp with CRF 10 / 16 / 24.) VP9 needs about 30 % fewer bits than H.264 for the same picture.

The level in the codec string is the lowest whose limits (frame size, macroblocks or samples per second,
bit rate) hold the stream: `avc1.640028` (level 4.0) is too low for 1080p60 or 4K, and an encoder or
player may refuse a stream above its stated level. Sizes need not be 16:9 (1080x1920, 3840x3840, a custom
WxH), so each side is checked too: H.264 allows at most sqrt(8 x max frame size) macroblocks across or
down (A.3.1 f, g), VP9 a longest side of its level's "max luma picture breadth"; a tall or wide frame may
need a higher level than its area alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .segments import SEGMENT_SECONDS

VIDEO_BPP = {
    "mp4": {"high": 0.10, "medium": 0.06, "low": 0.035},
    "webm": {"high": 0.07, "medium": 0.042, "low": 0.025},
}
OPUS_BITRATE = {"high": 160_000, "medium": 128_000, "low": 96_000}
# At most this many seconds between key frames; a segment (segments.py) also starts on one.
KEY_FRAME_SECONDS = 2

# H.264 Table A-1: (level_idc, max macroblocks/s, max frame size in macroblocks, max bit rate in kb/s for
# Baseline/Main; High allows 1.25x).
H264_LEVELS = [
    (30, 40_500, 1_620, 10_000),
    (31, 108_000, 3_600, 14_000),
    (32, 216_000, 5_120, 20_000),
    (40, 245_760, 8_192, 20_000),
    (41, 245_760, 8_192, 50_000),
    (42, 522_240, 8_704, 50_000),
    (50, 589_824, 22_080, 135_000),
    (51, 983_040, 36_864, 240_000),
    (52, 2_073_600, 36_864, 240_000),
    (60, 4_177_920, 139_264, 240_000),
    (61, 8_355_840, 139_264, 480_000),
    (62, 16_711_680, 139_264, 800_000),
]
H264_HIGH_PROFILE = 0x64
# VP9 levels (webmproject.org/vp9/levels): (level x10, max luma samples/s, max luma picture size, max kb/s,
# max luma picture breadth: the longer side).
VP9_LEVELS = [
    (10, 829_440, 36_864, 200, 512),
    (11, 2_764_800, 73_728, 800, 768),
    (20, 4_608_000, 122_880, 1_800, 960),
    (21, 9_216_000, 245_760, 3_600, 1_344),
    (30, 20_736_000, 552_960, 7_200, 2_048),
    (31, 36_864_000, 983_040, 12_000, 2_752),
    (40, 83_558_400, 2_228_224, 18_000, 4_160),
    (41, 160_432_128, 2_228_224, 30_000, 4_160),
    (50, 311_951_360, 8_912_896, 60_000, 8_384),
    (51, 588_251_136, 8_912_896, 120_000, 8_384),
    (52, 1_176_502_272, 8_912_896, 180_000, 8_384),
    (60, 1_176_502_272, 35_651_584, 180_000, 16_832),
    (61, 2_353_004_544, 35_651_584, 240_000, 16_832),
    (62, 4_706_009_088, 35_651_584, 480_000, 16_832),
]


def video_bitrate(width: int, height: int, fps: int, quality: str, fmt: str) -> int:
    """Target bits per second."""
    return round(VIDEO_BPP[fmt][quality] * width * height * fps)


def h264_level(width: int, height: int, fps: int, bitrate: int) -> int:
    """level_idc (e.g. 42 for 4.2) of the lowest H.264 level that holds this High-profile stream."""
    across, down = -(-width // 16), -(-height // 16)
    macroblocks = across * down
    for level, per_second, per_frame, max_kbps in H264_LEVELS:
        # a side of n macroblocks needs n*n <= 8 * per_frame (integers: no square root to round)
        sides_fit = max(across, down) ** 2 <= 8 * per_frame
        if (macroblocks <= per_frame and sides_fit and macroblocks * fps <= per_second
                and bitrate <= max_kbps * 1250):
            return level
    raise ValueError(f"no H.264 level holds {width}x{height} at {fps} fps and {bitrate} b/s")


def vp9_level(width: int, height: int, fps: int, bitrate: int) -> int:
    """Level x10 (e.g. 41 for 4.1) of the lowest VP9 level that holds this stream."""
    samples = width * height
    for level, per_second, per_picture, max_kbps, breadth in VP9_LEVELS:
        if (samples <= per_picture and max(width, height) <= breadth and samples * fps <= per_second
                and bitrate <= max_kbps * 1000):
            return level
    raise ValueError(f"no VP9 level holds {width}x{height} at {fps} fps and {bitrate} b/s")


def video_codec(width: int, height: int, fps: int, bitrate: int, fmt: str) -> str:
    """The WebCodecs codec string: avc1.PPCCLL (High profile, no constraints) or vp09.PP.LL.DD (profile 0,
    8 bits)."""
    if fmt == "mp4":
        return f"avc1.{H264_HIGH_PROFILE:02x}00{h264_level(width, height, fps, bitrate):02x}"
    return f"vp09.00.{vp9_level(width, height, fps, bitrate):02d}.08"


@dataclass(frozen=True)
class WebCodecsConfig:
    """Everything that decides the WebCodecs encoder's bytes; `video` is a VideoEncoderConfig."""

    video: dict
    audio: dict  # {"codec": "aac" | "opus", "bitrate": b/s}
    key_frame_interval: int  # frames

    def to_dict(self) -> dict:
        return {"video": self.video, "audio": self.audio, "keyFrameInterval": self.key_frame_interval}


def webcodecs_config(width: int, height: int, fps: int, quality: str, fmt: str) -> WebCodecsConfig:
    bitrate = video_bitrate(width, height, fps, quality, fmt)
    video = {
        "codec": video_codec(width, height, fps, bitrate, fmt),
        "width": width,
        "height": height,
        "bitrate": bitrate,
        "bitrateMode": "variable",
        "framerate": fps,
        # Offline: a slow, good encode beats a fast one; no frame is ever dropped to keep up.
        "latencyMode": "quality",
        "alpha": "discard",
    }
    if fmt == "mp4":
        video["avc"] = {"format": "avc"}  # length-prefixed NAL units and an avcC: what MP4 stores
        audio = {"codec": "aac", "bitrate": None}  # ffmpeg.wasm, encoding.AAC_BITRATE
    else:
        audio = {"codec": "opus", "bitrate": OPUS_BITRATE[quality]}
    return WebCodecsConfig(video, audio, key_frame_interval(fps))


def key_frame_interval(fps: int) -> int:
    return min(KEY_FRAME_SECONDS, SEGMENT_SECONDS) * fps


def is_key_frame(index: int, fps: int) -> bool:
    """Frame `index` of the export must be a key frame: every segment's first frame (segments are joined
    and resumed on their own) and at least one every KEY_FRAME_SECONDS, so a player seeks quickly."""
    return index % key_frame_interval(fps) == 0 or index % (SEGMENT_SECONDS * fps) == 0
