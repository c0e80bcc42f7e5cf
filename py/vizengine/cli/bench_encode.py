"""Encode-only speed, for `make bench`: the export's own encoder — ffmpeg.wasm segments on the page's
worker pool — turning stored JPEG frames into segments with nothing rendering beside it.

The frames are an export's own, decoded back to JPEG with native ffmpeg and stored in the page's
IndexedDB through the segment runtime, as the render loop stores them; only the segment encoding is
timed. With render-only-loop time it gives the sequential bound the streamed export must beat.
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path

from ..encode.encoding import EncodeJob
from ..encode.segments import plan_segments, segment_args, segment_output

BATCH = 30  # frames per page call: a few MB of base64 at 1080p

BEGIN = """async (exportId) => (await window.vizengine.segments.begin(exportId, JSON.stringify({ bench: exportId }),
  0)).workers"""

PUT = """async ({ exportId, first, frames }) => {
  const runtime = window.vizengine.segments;
  for (let k = 0; k < frames.length; k++) {
    await runtime.putFrame(exportId, first + k, Uint8Array.from(atob(frames[k]), (c) => c.charCodeAt(0)));
  }
  await runtime.flush();
}"""

ENCODE = """async ({ exportId, segments, args, output }) => {
  const runtime = window.vizengine.segments;
  const started = performance.now();
  for (const [index, first, count] of segments) runtime.encodeSegment(exportId, index, first, count, args[count], output);
  await runtime.waitAll();
  const ms = performance.now() - started;
  await runtime.discard(exportId);
  return ms;
}"""


def encode_only(page, video: Path, job: EncodeJob) -> tuple[float, int]:
    """Seconds the page's worker pool takes to encode `video`'s frames as the export's segments, and
    the number of workers it used."""
    export_id = f"bench-encode-{job.width}x{job.height}-{job.fps}"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-start_number", "0", "-q:v", "2",
                        str(Path(tmp) / "frame_%06d.jpg")], check=True)
        frames = sorted(Path(tmp).glob("frame_*.jpg"))
        if len(frames) != job.frame_count:
            raise RuntimeError(f"{video} decoded to {len(frames)} frames, expected {job.frame_count}")
        workers = page.evaluate(BEGIN, export_id)
        for first in range(0, len(frames), BATCH):
            batch = [base64.b64encode(path.read_bytes()).decode() for path in frames[first:first + BATCH]]
            page.evaluate(PUT, {"exportId": export_id, "first": first, "frames": batch})
    segments = plan_segments(job.frame_count, job.fps)
    args = {str(s.count): segment_args(job, s.count) for s in segments}
    ms = page.evaluate(ENCODE, {"exportId": export_id, "segments": [[s.index, s.first, s.count] for s in segments],
                                "args": args, "output": segment_output(job)})
    return ms / 1000, workers
