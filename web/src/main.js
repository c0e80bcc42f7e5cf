// @ts-check
// Wires the page: stage and layers, playback, the live preview loop, Python boot, the export dialog.
import { setLiveAnalyser } from './audio/audio-frame-data.js';
import { Playback } from './audio/playback.js';
import { FfmpegRuntime } from './encoder/ffmpeg-runtime.js';
import { createHost } from './host.js';
import { createKeepAwake } from './keep-awake.js';
import { getLayers, renderAllLayers } from './layers/registry.js';
import { project } from './project.js';
import { bootPython } from './python.js';
import { createStage } from './stage.js';
import { FrameStore } from './storage/frame-store.js';
import { setupExportDialog } from './ui/export-dialog.js';
import { setupLayerPanel } from './ui/layer-panel.js';
import { setupTransport } from './ui/transport.js';

const base = new URL('./', document.baseURI);
const status = /** @type {HTMLElement} */ (document.getElementById('boot-status'));
const openExport = /** @type {HTMLButtonElement} */ (document.getElementById('open-export'));

const stage = createStage(/** @type {HTMLElement} */ (document.getElementById('stage')), project);
setupLayerPanel(/** @type {HTMLElement} */ (document.getElementById('layers-panel')));
const playback = new Playback(project.analyser);
setLiveAnalyser(playback.analyser);
const frames = new FrameStore();
const ffmpeg = new FfmpegRuntime(frames, {
  coreURL: new URL('ffmpeg/ffmpeg-core.js', base).href,
  wasmURL: new URL('ffmpeg/ffmpeg-core.wasm', base).href,
});

/** @type {any} */
let app = null;
/** @type {any} */
let python = null;
/** @type {any} */
let lastState = null;
const host = createHost({
  project, playback, frames, ffmpeg, stage,
  onState: (state) => { lastState = state; dialog.render(state); },
  onBusy: (busy) => {
    transport.refresh();
    if (busy) void keepAwake.start();
    else keepAwake.stop();
  },
});
const keepAwake = createKeepAwake((level, message) => app?.log(level, message));
const dialog = setupExportDialog({
  dialog: /** @type {HTMLDialogElement} */ (document.getElementById('export-dialog')),
  openButton: openExport,
  getApp: () => app,
  hasTrack: () => playback.buffer !== null,
  trackDuration: () => playback.duration,
});
const transport = setupTransport({
  playback,
  demoURL: new URL('demo/demo-track.wav', base).href,
  onTrack: () => { openExport.disabled = !app; },
  isBusy: () => host.isExporting(),
});

// The live preview: layers read the live analyser through getAudioFrameData(). While exporting, the
// orchestrator owns the layers, so the loop only keeps itself scheduled.
let previous = performance.now();
function preview(/** @type {number} */ now) {
  const dt = Math.min((now - previous) / 1000, 0.1);
  previous = now;
  if (!host.isExporting()) renderAllLayers(playback.currentTime, dt);
  requestAnimationFrame(preview);
}
requestAnimationFrame(preview);

// Tests and the headless CLI look here; the UI never needs it.
const vizengine = {
  host, playback, frames, ffmpeg, transport, layers: getLayers,
  get app() { return app; },
  get python() { return python; },
  get state() { return lastState; },
  ready: bootPython((message) => { status.textContent = message; })
    .then((pyodide) => {
      python = pyodide;
      app = pyodide.pyimport('vizengine._browser.bridge').install(host);
      status.textContent = 'Ready';
      status.dataset.state = 'ready';
      openExport.disabled = playback.buffer === null;
      return true;
    })
    .catch((error) => {
      status.textContent = `Python failed to start: ${error instanceof Error ? error.message : error}`;
      status.dataset.state = 'error';
      throw error;
    }),
};
Object.assign(window, { vizengine });
