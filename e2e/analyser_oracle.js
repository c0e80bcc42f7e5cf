// Evaluated in the app's page by test_analyser_oracle.py: Chromium's own AnalyserNode, run in an
// OfflineAudioContext and read at render-quantum-aligned suspend points, then compared in Pyodide
// with vizengine.analysis.analyse on the same samples.
async ({ channels, sampleRate, fftSize, smoothing, minDb, maxDb, first, hop, count, comparePy }) => {
  const data = channels.map((c) => Float32Array.from(c));
  const length = data[0].length;
  const end = first + hop * (count - 1);
  const context = new OfflineAudioContext(data.length, Math.max(length, end) + 256, sampleRate);
  const buffer = context.createBuffer(data.length, length, sampleRate);
  data.forEach((c, k) => buffer.copyToChannel(c, k));
  const source = new AudioBufferSourceNode(context, { buffer });
  const analyser = new AnalyserNode(context, {
    fftSize, smoothingTimeConstant: smoothing, minDecibels: minDb, maxDecibels: maxDb,
  });
  source.connect(analyser).connect(context.destination);
  const half = fftSize / 2;
  const frequency = new Uint8Array(count * half);
  const timeDomain = new Uint8Array(count * fftSize);
  for (let i = 0; i < count; i++) {
    context.suspend((first + i * hop) / sampleRate).then(() => {
      analyser.getByteFrequencyData(frequency.subarray(i * half, (i + 1) * half));
      analyser.getByteTimeDomainData(timeDomain.subarray(i * fftSize, (i + 1) * fftSize));
      return context.resume();
    });
  }
  source.start(0);
  await context.startRendering();

  const py = window.vizengine.python;
  if (!py.globals.has('compare_with_oracle')) py.runPython(comparePy);
  return py.globals.get('compare_with_oracle')(data, sampleRate, fftSize, smoothing, minDb, maxDb, first, hop,
    count, frequency, timeDomain);
}
