#!/usr/bin/env python3
"""Write the synthesised demo track (vizengine.audio.demo_track) to build/public/demo/demo-track.wav."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))

from vizengine.audio import demo_track  # noqa: E402
from vizengine.audio.clip import to_wav  # noqa: E402

out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "public" / "demo" / "demo-track.wav"
out.parent.mkdir(parents=True, exist_ok=True)
samples, rate = demo_track.synthesize()
out.write_bytes(to_wav(samples, rate))
print(f"demo track: {samples.shape[1] / rate:.1f} s, {samples.shape[0]} ch, {rate} Hz -> {out.relative_to(ROOT)}")
