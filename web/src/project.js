// @ts-check
// The project the user edits: stage background and the analyser settings shared by the live preview and
// the export's offline analysis (Python reads them through host.project()), so both see the same spectrum.

export const project = {
  background: '#000000',
  analyser: { fftSize: 2048, smoothing: 0.8, minDb: -100, maxDb: -30 },
  // The preview's drawing-buffer size; exports render at their own resolution.
  preview: { width: 960, height: 540 },
};
