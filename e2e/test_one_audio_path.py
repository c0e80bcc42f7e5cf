"""During an export every layer draws frame i from exactly analyse(...)'s frame i: the bytes are read
back from each layer's own audio textures, so this checks what the layers received, not what was sent."""

from __future__ import annotations

import json

from vizengine.cli.driver import export_to_file

TAPPED_FRAMES = [0, 1, 13, 44]

TAP_JS = """([frames, start, fps]) => {
  const v = window.vizengine;
  const wanted = new Set(frames);
  v.tapped = {};
  const read = (gl, texture, width) => {
    const fb = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    const rgba = new Uint8Array(width * 4);
    gl.readPixels(0, 0, width, 1, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.deleteFramebuffer(fb);
    return Array.from(rgba.filter((_, k) => k % 4 === 0));
  };
  const drawFrame = v.host.drawFrame;
  v.host.drawFrame = (t, dt, frequency, timeDomain) => {
    drawFrame(t, dt, frequency, timeDomain);
    const i = Math.round((t - start) * fps);
    if (wanted.has(i)) {
      v.tapped[i] = v.layers().map((layer) => ({
        id: layer.id,
        frequency: read(layer.gl, layer.freqTexture.texture, layer.freqTexture.width),
        timeDomain: read(layer.gl, layer.waveTexture.texture, layer.waveTexture.width),
      }));
    }
  };
}"""

REFERENCE_PY = """
import json
from fractions import Fraction
import numpy as np
from js import window
from vizengine.audio.analysis import analyse

buffer = window.vizengine.playback.buffer
samples = np.stack([np.frombuffer(buffer.getChannelData(c).to_bytes(), dtype=np.float32)
                    for c in range(buffer.numberOfChannels)])
a = window.vizengine.host.project().analyser
ref = analyse(samples, int(buffer.sampleRate), 30, fft_size=a.fftSize, smoothing=a.smoothing,
              min_db=a.minDb, max_db=a.maxDb, start=Fraction("3.2"), frames=45)
json.dumps({str(i): {"frequency": ref.frequency[i].tolist(), "timeDomain": ref.time_domain[i].tolist()}
            for i in FRAMES})
"""


def test_every_layer_receives_exactly_the_offline_analysis_of_its_frame(demo_page, tmp_path):
    demo_page.evaluate(TAP_JS, [TAPPED_FRAMES, 3.2, 30])
    export_to_file(demo_page, {"resolution": "720p", "fps": 30, "format": "mp4", "start": "3.2", "duration": 1.5},
                   tmp_path / "tap.mp4")
    tapped = demo_page.evaluate("window.vizengine.tapped")
    reference = json.loads(demo_page.evaluate(
        "code => window.vizengine.python.runPython(code)", f"FRAMES = {TAPPED_FRAMES}\n{REFERENCE_PY}"))

    assert sorted(int(i) for i in tapped) == TAPPED_FRAMES
    layer_ids = {layer["id"] for layers in tapped.values() for layer in layers}
    assert layer_ids == {"background", "spectrum", "waveform"}
    for i in TAPPED_FRAMES:
        expected = reference[str(i)]
        assert len(expected["frequency"]) == 1024 and max(expected["frequency"]) > 0
        for layer in tapped[str(i)]:
            assert layer["frequency"] == expected["frequency"], (i, layer["id"])
            assert layer["timeDomain"] == expected["timeDomain"], (i, layer["id"])
    # neighbouring frames really differ, so equality above is not trivially true
    assert reference["0"]["frequency"] != reference["13"]["frequency"]
