"""Export settings as the dialog offers them, validated once, with the derived frame range.

The dialog (and the CLI) send a plain dict; `ExportSettings.from_dict` is the one place that reads it, so
every front end gets the same messages for the same mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import InvalidSettings
from ..frames.timing import FrameRange, Seconds, exact
from .resolution import read_resolution, resolution_size
from .time_text import seconds
# The dialog offers exactly these choices: both read them from the one contract.
from ..project.contract import ENCODERS, FORMATS, FPS_CHOICES, MAX_ENCODE_WORKERS, QUALITIES, RESOLUTIONS, SETTINGS_DEFAULTS


def _choice(value: object, choices: tuple, what: str) -> object:
    if isinstance(value, str):
        value = value.strip().lower()
    if value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise InvalidSettings(f"{what} must be one of {allowed} (got {value!r})")
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class ExportSettings:
    resolution: str = SETTINGS_DEFAULTS["resolution"]  # a preset's name or "WxH" (resolution.py)
    fps: int = SETTINGS_DEFAULTS["fps"]
    quality: str = SETTINGS_DEFAULTS["quality"]
    format: str = SETTINGS_DEFAULTS["format"]
    start: Fraction = Fraction(0)
    duration: Fraction | None = None  # None: to the end of the track
    encode_workers: int = 0  # 0: as many as the machine affords; changes the speed, never the output
    encoder: str = SETTINGS_DEFAULTS["encoder"]  # auto | webcodecs | ffmpeg (see encode/choice.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "resolution", read_resolution(self.resolution))
        fps = self.fps
        if isinstance(fps, str) and fps.strip().isdigit():
            fps = int(fps)
        if isinstance(fps, float) and fps.is_integer():
            fps = int(fps)
        object.__setattr__(self, "fps", _choice(fps, FPS_CHOICES, "fps"))
        object.__setattr__(self, "quality", _choice(self.quality, QUALITIES, "quality"))
        object.__setattr__(self, "format", _choice(self.format, FORMATS, "format"))
        object.__setattr__(self, "encoder", _choice(self.encoder, ENCODERS, "encoder"))
        workers = self.encode_workers
        if isinstance(workers, str) and workers.strip().isdigit():
            workers = int(workers)
        if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= MAX_ENCODE_WORKERS:
            raise InvalidSettings(f"encode workers must be a whole number from 1 to {MAX_ENCODE_WORKERS}, "
                                  f"or 0 for automatic (got {self.encode_workers!r})")
        object.__setattr__(self, "encode_workers", workers)
        start = seconds(self.start, "start")
        if start < 0:
            raise InvalidSettings(f"start must not be negative (got {float(start):g} s)")
        object.__setattr__(self, "start", start)
        if self.duration is not None:
            duration = seconds(self.duration, "duration")
            if duration <= 0:
                raise InvalidSettings(f"duration must be positive (got {float(duration):g} s)")
            object.__setattr__(self, "duration", duration)

    @classmethod
    def from_dict(cls, data: dict) -> ExportSettings:
        known = {"resolution", "fps", "quality", "format", "start", "duration", "encodeWorkers", "encoder"}
        unknown = set(data) - known
        if unknown:
            raise InvalidSettings(f"unknown export setting(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        for name in ("start", "duration"):  # an empty field: from the beginning, to the end
            if _blank(values.get(name)):
                values.pop(name, None)
        if _blank(values.get("encoder")):
            values.pop("encoder", None)
        workers = values.pop("encodeWorkers", None)
        if not _blank(workers):
            values["encode_workers"] = workers
        return cls(**values)

    @property
    def size(self) -> tuple[int, int]:
        return resolution_size(self.resolution)

    def frame_range(self, track_duration: Seconds) -> FrameRange:
        """The frames to render for a track of this length; the range must lie inside the track."""
        track = exact(track_duration, "track duration")
        if track <= 0:
            raise InvalidSettings("the track is empty")
        if self.start >= track:
            raise InvalidSettings(
                f"start {float(self.start):g} s is at or after the end of the track ({float(track):.2f} s)"
            )
        duration = self.duration if self.duration is not None else track - self.start
        if self.start + duration > track:
            raise InvalidSettings(
                f"start {float(self.start):g} s + duration {float(duration):g} s runs past the end of "
                f"the track ({float(track):.2f} s)"
            )
        frames = FrameRange.from_seconds(self.start, duration, self.fps)
        if frames.end > track:
            # rounding the frame count up by half a frame may overshoot the track; never ask for audio that is not there
            frames = FrameRange(frames.start, frames.fps, frames.count - 1)
            if frames.count == 0:
                raise InvalidSettings("the range is shorter than one frame inside the track")
        return frames

    def file_name(self, stem: str = "viz-engine") -> str:
        return f"{stem}-{self.resolution}-{self.fps}fps.{self.format}"

    def to_dict(self) -> dict:
        return {
            "resolution": self.resolution,
            "fps": self.fps,
            "quality": self.quality,
            "format": self.format,
            "start": float(self.start),
            "duration": None if self.duration is None else float(self.duration),
            "encoder": self.encoder,
        }
