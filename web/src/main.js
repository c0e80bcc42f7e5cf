// @ts-check
// Wires the page: stage and layers, playback, the preview loop, Python boot, the export dialog.
import { setLiveAnalyser } from './audio/audio-frame-data.js';
import { Playback } from './audio/playback.js';
import { clearTrackFeatures, loadTrackFeatures } from './audio/track-features.js';
import { SegmentRuntime } from './encode/segment-runtime.js';
import { WebCodecsRuntime } from './encode/webcodecs-runtime.js';
import { farmEntry } from './farm.js';
import { createHost } from './host.js';
import { createKeepAwake } from './keep-awake.js';
import { getLayers, onLayersChanged } from './layers/registry.js';
import { startPreview } from './preview.js';
import { createProjectDocument } from './project-document.js';
import { demoProject, project } from './project.js';
import { bootPython } from './python.js';
import { createStage } from './stage.js';
import { setupExportActivity } from './ui/export-activity.js';
import { setupExportDialog } from './ui/export-dialog.js';
import { setupExportEstimate } from './ui/export-estimate.js';
import { measureWarmup } from './gl/warmup.js';
import { setupLayerPanel } from './ui/layer-panel.js';
import { setupProjectBar } from './ui/project-bar.js';
import { ProjectStore } from './storage/project-store.js';
import { setupResumeOffer } from './ui/resume-offer.js';
import { setupTimeline } from './ui/timeline.js';
import { setupTransport } from './ui/transport.js';

const base = new URL('./', document.baseURI);
const status = /** @type {HTMLElement} */ (document.getElementById('boot-status'));
const openExport = /** @type {HTMLButtonElement} */ (document.getElementById('open-export'));
const fpsField = /** @type {HTMLSelectElement} */ (document.querySelector('#export-form [name="fps"]'));

const stage = createStage(/** @type {HTMLElement} */ (document.getElementById('stage')), project);
const projectDocument = createProjectDocument(stage.renderer.gl, project, demoProject);
const playback = new Playback(project.analyser);
// A project opened with other analyser settings: the live preview's AnalyserNode follows.
projectDocument.listen(() => {
  const { analyser } = playback;
  analyser.fftSize = project.analyser.fftSize;
  analyser.smoothingTimeConstant = project.analyser.smoothing;
  // min first or max first, whichever keeps min < max at every step (the node throws otherwise).
  if (project.analyser.minDb < analyser.maxDecibels) {
    analyser.minDecibels = project.analyser.minDb;
    analyser.maxDecibels = project.analyser.maxDb;
  } else {
    analyser.maxDecibels = project.analyser.maxDb;
    analyser.minDecibels = project.analyser.minDb;
  }
});
setLiveAnalyser(playback.analyser);
const ffmpegCore = {
  coreURL: new URL('ffmpeg/ffmpeg-core.js', base).href,
  wasmURL: new URL('ffmpeg/ffmpeg-core.wasm', base).href,
};
// The segmented, streamed export (encode/): Python's SegmentedEncoder drives it through host.segments.
const segments = new SegmentRuntime(ffmpegCore);
// The WebCodecs encoder (Python's WebCodecsEncoder) stores its segments where the pool does.
const webcodecs = new WebCodecsRuntime(segments);

/** @type {any} */
let app = null;
/** @type {any} */
let python = null;
/** @type {any} */
let lastState = null;
const host = createHost({
  project: projectDocument, playback, segments, webcodecs, stage,
  onState: (state) => { lastState = state; dialog.render(state); activity.render(state); },
  onBusy: (busy) => {
    transport.refresh();
    timeline.refresh();
    layerPanel.render();
    projectBar.refresh();
    if (busy) void keepAwake.start();
    else keepAwake.stop();
  },
  onDelivered: (blob, name) => dialog.delivered(blob, name),
  redraw: (dt) => preview.redraw(dt),
  trackWarnings: () => transport.warnings(),
});
const preview = startPreview({ renderer: stage.renderer, playback, isExporting: () => host.isExporting() });
const activity = setupExportActivity(status);
const keepAwake = createKeepAwake((level, message) => app?.log(level, message));
const dialog = setupExportDialog({
  dialog: /** @type {HTMLDialogElement} */ (document.getElementById('export-dialog')),
  openButton: openExport,
  getApp: () => app,
  hasTrack: () => playback.buffer !== null,
  trackDuration: () => playback.duration,
  // The preview takes the shape of the export the dialog would start: what you see is what you export.
  onSize: (width, height) => { stage.showAspect(width, height); preview.redraw(); },
});
setupExportEstimate({
  box: /** @type {HTMLElement} */ (document.getElementById('export-estimate')),
  dialog: /** @type {HTMLDialogElement} */ (document.getElementById('export-dialog')),
  openButton: openExport,
  getApp: () => app,
  track: () => playback.buffer,
  busy: () => host.isExporting(),
  warmup: () => measureWarmup({
    renderer: stage.renderer,
    restore: () => { stage.showPreviewSize(); preview.drawNow(); },
    busy: () => host.isExporting(),
    time: () => playback.currentTime,
  }),
});
const resumeOffer = setupResumeOffer({
  box: /** @type {HTMLElement} */ (document.getElementById('resume-offer')),
  getApp: () => app,
  startWith: (settings) => dialog.startWith(settings),
});
const transport = setupTransport({
  playback,
  demoURL: new URL('demo/demo-track.wav', base).href,
  onTrack: (track) => {
    openExport.disabled = !app;
    projectBar.trackLoaded(track);
    void resumeOffer.refresh();
  },
  isBusy: () => host.isExporting(),
});

// The loaded track's whole-track features (bass energy, onsets) for the layers that follow its history
// (particles): computed by Python once per track; the export waits for them (host.layersReady). Asked for in
// the same task that sets the new track (playback's listeners run as it changes), before anything can see
// the track's name, so a render farm's part that starts once the name shows waits for this track's.
/** @type {AudioBuffer | null} */
let featuresFor = null;
function refreshTrackFeatures() {
  if (!app || playback.buffer === featuresFor) return;
  featuresFor = playback.buffer;
  if (playback.buffer) void loadTrackFeatures(() => app.track_features()).then(() => preview.redraw());
  else clearTrackFeatures();
}
playback.listen(refreshTrackFeatures);

const layerPanel = setupLayerPanel(/** @type {HTMLElement} */ (document.getElementById('layers-panel')), projectDocument,
  { busy: () => host.isExporting() });
const exportForm = /** @type {HTMLFormElement} */ (document.getElementById('export-form'));
const projectBar = setupProjectBar({
  bar: /** @type {HTMLElement} */ (document.getElementById('project-bar')),
  project: projectDocument,
  store: new ProjectStore(),
  settings: { current: () => dialog.current(), fill: (settings) => dialog.fill(settings), form: exportForm },
  track: { name: () => (playback.buffer ? playback.name : null), loadFile: transport.loadFile, loadDemo: transport.loadDemo },
  getApp: () => app,
  busy: () => host.isExporting(),
});
// The autosaved track loads at once; the autosaved project once Python has checked it.
const autosaved = projectBar.restoreEarly();

// Under the stage: waveform, export-range markers (two-way with the dialog's Start/Duration), playhead.
const timeline = setupTimeline({
  box: /** @type {HTMLElement} */ (document.getElementById('timeline')),
  form: /** @type {HTMLFormElement} */ (document.getElementById('export-form')),
  playback, getApp: () => app, isBusy: () => host.isExporting(),
});

// Python plans the composite whenever the layers change, and computes the paused preview's audio frame
// whenever the playhead stops somewhere: both go through the same code the export uses.
const previewError = /** @type {HTMLElement} */ (document.getElementById('preview-error'));
/** Preview problems (a project Python refuses, a failed analysis) show under the stage. @param {() => any} step */
const reportingPreviewErrors = async (step) => {
  try {
    await step();
    previewError.hidden = true;
  } catch (error) {
    previewError.textContent = `Preview: ${error instanceof Error ? error.message : error}`;
    previewError.hidden = false;
  }
};
const replan = () => { if (app) void reportingPreviewErrors(() => app.plan_preview()); };
const showPaused = () => {
  if (app && playback.buffer && !playback.playing && !host.isExporting()) {
    void reportingPreviewErrors(() => app.show_paused_frame(playback.currentTime, Number(fpsField.value)));
  }
};
onLayersChanged(replan);
playback.listen(showPaused);
fpsField.addEventListener('change', showPaused);

// Tests and the headless CLI look here; the UI never needs it.
const vizengine = {
  host, project, projectDocument, projectBar, playback, segments, webcodecs, transport, timeline, preview, renderer: stage.renderer, stage,
  layers: getLayers,
  // The render farm's entry point (py/vizengine/cli/farm_worker.py): parts of an export, no dialog.
  farm: farmEntry(() => app),
  get app() { return app; },
  get python() { return python; },
  get state() { return lastState; },
  ready: bootPython((message) => { status.textContent = message; })
    .then(async (pyodide) => {
      python = pyodide;
      app = pyodide.pyimport('vizengine._browser.bridge').install(host);
      replan();
      refreshTrackFeatures();
      showPaused();
      timeline.refresh();
      await projectBar.restore(await autosaved);
      status.textContent = 'Ready';
      status.dataset.state = 'ready';
      openExport.disabled = playback.buffer === null;
      void resumeOffer.refresh();
      return true;
    })
    .catch((error) => {
      status.textContent = `Python failed to start: ${error instanceof Error ? error.message : error}`;
      status.dataset.state = 'error';
      throw error;
    }),
};
Object.assign(window, { vizengine });
