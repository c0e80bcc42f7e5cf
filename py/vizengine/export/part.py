"""A share of an export rendered on its own: the render farm's unit of work (cli/farm.py).

Frame i depends only on (project, audio, settings, i) and the export is cut into fixed segments
(encode/segments.py), so segments [first, end) can be rendered by any browser and joined elsewhere. A part
runs the whole export's prepare (the same manifest, codec settings and analysis from the export's start, so
the smoothing state of its first frame is right), renders only its segments' frames and hands their encoded
bytes back instead of joining them; with `audio` it also hands back the export's audio, encoded once
exactly as the whole export encodes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..audio.analysis import AudioFrames
from ..errors import InvalidSettings


class AnalysisCache:
    """The last analysis a page computed for parts, kept between them: every part needs the analysis from
    the export's start, so a worker computes it once per export rather than once per part (which would
    make a long export's total analysis grow with the square of its length)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._frames: AudioFrames | None = None

    async def get(self, key: tuple, compute: Callable[[], Awaitable[AudioFrames]]) -> AudioFrames:
        if self._key != key or self._frames is None:
            self._key, self._frames = None, None  # the previous export's analysis goes before the next is made
            self._frames = await compute()
            self._key = key
        return self._frames


@dataclass
class Part:
    """Segments [first, end) of an export (empty with first == end), plus its audio when `audio`.

    The orchestrator fills in `manifest_key` (the whole export's, the same in every part of it: the farm's
    driver checks they agree before joining) and `output` (what the encoder handed over)."""

    first: int
    end: int
    audio: bool = False
    analyses: AnalysisCache = field(default_factory=AnalysisCache)
    manifest_key: str = ""
    output: Any = None

    def check(self, segments: int) -> None:
        if not (0 <= self.first <= self.end <= segments):
            raise InvalidSettings(f"segments {self.first}..{self.end} are not within this export's "
                                  f"{segments} segments")
        if self.first == self.end and not self.audio:
            raise InvalidSettings("a part needs at least one segment or the audio")

    def holds(self, segment: int) -> bool:
        return self.first <= segment < self.end

    @property
    def segments(self) -> list[int]:
        return list(range(self.first, self.end))
