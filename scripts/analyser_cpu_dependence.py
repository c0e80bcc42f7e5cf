"""Does Chromium's AnalyserNode give the same bytes on every CPU?  Runs the same Chromium binary on this
CPU and, under qemu-user, on emulated older CPUs, feeds each the same audio through an AnalyserNode in an
OfflineAudioContext, and compares the outputs with each other and with vizengine.audio.analysis.analyse.

Chromium picks SIMD code for its FFT at run time, so its float32 rounding (and now and then a byte)
changes with the CPU: that is why "bytes identical to Chromium" cannot be a fixed target.

    apt-get install -y qemu-user        # once
    .venv/bin/python scripts/analyser_cpu_dependence.py [--cpu Nehalem --cpu SandyBridge] [--fft 2048]
"""

from __future__ import annotations

import argparse
import base64
import shutil
import stat
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "py"))
from vizengine.audio.analysis import analyse  # noqa: E402
from vizengine.cli.browser import launch_chromium  # noqa: E402

REAL_BINARY = Path("/usr/lib/chromium/chromium")  # /usr/bin/chromium is a shell wrapper qemu cannot run
RATE, HOP = 48000, 1024

ANALYSER_JS = """async ({ b64, fft, smoothing, count, hop, rate }) => {
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new Float32Array(raw.buffer);
  const context = new OfflineAudioContext(1, data.length, rate);
  const buffer = context.createBuffer(1, data.length, rate);
  buffer.copyToChannel(data, 0);
  const source = new AudioBufferSourceNode(context, { buffer });
  const analyser = new AnalyserNode(context, { fftSize: fft, smoothingTimeConstant: smoothing });
  source.connect(analyser).connect(context.destination);
  const half = fft / 2, bytes = new Uint8Array(count * half), dbs = new Float32Array(count * half);
  for (let i = 0; i < count; i++) {
    context.suspend((fft + hop * i) / rate).then(() => {
      analyser.getFloatFrequencyData(dbs.subarray(i * half, (i + 1) * half));   // same analysis time:
      analyser.getByteFrequencyData(bytes.subarray(i * half, (i + 1) * half));  // no second FFT
      return context.resume();
    });
  }
  source.start(0);
  await context.startRendering();
  const b64of = (a) => { let s = ''; const u = new Uint8Array(a.buffer);
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
    return btoa(s); };
  return [b64of(bytes), b64of(dbs)];
}"""


def test_signal(n: int) -> np.ndarray:
    rng = np.random.default_rng(2026)
    t = np.arange(n) / RATE
    tones = sum(rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * rng.uniform(40, 15000) * t) for _ in range(8))
    return (tones + 0.1 * rng.standard_normal(n)).astype(np.float32)


def run(executable: str, extra: tuple[str, ...], samples: np.ndarray, fft: int, smoothing: float, count: int):
    with launch_chromium(executable, extra, timeout_ms=600_000) as browser:
        page = browser.new_page()
        page.set_default_timeout(1_800_000)
        b64_bytes, b64_db = page.evaluate(ANALYSER_JS, {
            "b64": base64.b64encode(samples.tobytes()).decode(), "fft": fft, "smoothing": smoothing,
            "count": count, "hop": HOP, "rate": RATE})
    shape = (count, fft // 2)
    return (np.frombuffer(base64.b64decode(b64_bytes), np.uint8).reshape(shape),
            np.frombuffer(base64.b64decode(b64_db), np.float32).reshape(shape))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="append", help="qemu CPU model(s) to emulate (default: Nehalem)")
    parser.add_argument("--fft", type=int, default=2048)
    parser.add_argument("--smoothing", type=float, default=0.8)
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    qemu = shutil.which("qemu-x86_64")
    if qemu is None or not REAL_BINARY.exists():
        print("needs qemu-user (apt-get install -y qemu-user) and Debian's chromium at", REAL_BINARY)
        return 2
    samples = test_signal(args.fft + HOP * args.frames + 256)
    ours = analyse(samples, RATE, Fraction(RATE, HOP), fft_size=args.fft, smoothing=args.smoothing,
                   start=Fraction(args.fft, RATE), frames=args.frames).frequency
    results = {"this CPU": run(str(REAL_BINARY), ("--single-process",), samples, args.fft, args.smoothing, args.frames)}
    with tempfile.TemporaryDirectory() as tmp:
        for cpu in args.cpu or ["Nehalem"]:
            wrapper = Path(tmp) / f"chromium-{cpu}"
            wrapper.write_text(f'#!/bin/sh\nexec {qemu} -cpu {cpu} {REAL_BINARY} "$@"\n')
            wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
            results[f"qemu -cpu {cpu}"] = run(str(wrapper), ("--single-process",), samples, args.fft,
                                              args.smoothing, args.frames)
    total = ours.size
    print(f"AnalyserNode fft {args.fft}, smoothing {args.smoothing}, {args.frames} frames = {total} bins")
    names = list(results)
    base_bytes, base_db = results[names[0]]
    for name in names[1:]:
        b, d = results[name]
        print(f"  Chromium on {names[0]} vs on {name}: bytes differ {int((b != base_bytes).sum())}, "
              f"float dB differ {int((d.view(np.uint32) != base_db.view(np.uint32)).sum())}")
    for name in names:
        print(f"  vizengine.analyse vs Chromium on {name}: bytes differ {int((ours != results[name][0]).sum())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
