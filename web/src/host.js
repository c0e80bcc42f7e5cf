// @ts-check
// The page side of the Python bridge (py/vizengine/_browser/bridge.py): every call Python makes into the
// page lands here, and nowhere else.
import { beginInjection, endInjection, holdFrame, setInjectedFrame } from './audio/audio-frame-data.js';
import { downloadBlob } from './download.js';
import { whenLayersReady } from './layers/registry.js';
import { pythonBuild } from './python.js';

const TIMING_KEY = 'viz-engine:export-timing';

/**
 * @param {{
 *   project: {current: () => import('./project-document.js').ProjectJSON},
 *   playback: import('./audio/playback.js').Playback,
 *   segments: import('./encode/segment-runtime.js').SegmentRuntime,
 *   webcodecs: import('./encode/webcodecs-runtime.js').WebCodecsRuntime,
 *   stage: {renderer: import('./gl/renderer.js').Renderer, showPreviewSize: () => void,
 *     beginExportView: () => void, snapshot: () => void, endExportView: () => void},
 *   onState: (state: any) => void,
 *   onBusy: (busy: boolean) => void,
 *   onDelivered: (blob: Blob, name: string) => void,
 *   redraw: (dt?: number) => void,
 *   trackWarnings: () => string[],
 * }} deps
 */
export function createHost({ project, playback, segments, webcodecs, stage, onState, onBusy, onDelivered, redraw, trackWarnings }) {
  const { renderer } = stage;
  let wasPlaying = false;
  let exporting = false;
  /** @type {Uint8Array | null} */
  let pixels = null;
  /** @type {'pixels' | 'video_frame' | null} */
  let frameForm = null;
  /** @type {WeakMap<AudioBuffer, {id: number, digests: Promise<Uint8Array[]>}>} */
  const decoded = new WeakMap();
  let tracks = 0;

  return {
    segments,
    webcodecs,
    onState,
    isExporting: () => exporting,

    /** The versioned project description (vizengine.project.description reads it). */
    project() {
      return project.current();
    },

    /** Resolves once every layer can draw its final picture (fonts loaded, images decoded, the track's
     * features in); rejects naming a layer that cannot. The export awaits it before anything else. */
    layersReady() {
      return whenLayersReady();
    },

    /** The wheel's build id: a stored export made by another build is never resumed. */
    buildId() {
      const build = pythonBuild();
      if (!build) throw new Error('Python has not booted');
      return build.buildId;
    },

    /** The loaded track for Python: its samples, each channel's SHA-256 (the export's fingerprint; the
     * browser's own SHA-256 runs off this thread at native speed) and an id that changes with the track,
     * so Python copies a track's samples once, not at every seek. */
    async decodeAudio() {
      const buffer = playback.buffer;
      if (!buffer) return null;
      const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
      let known = decoded.get(buffer);
      if (!known) {
        const digests = Promise.all(channels.map(async (channel) => new Uint8Array(await crypto.subtle.digest('SHA-256', channel))));
        known = { id: ++tracks, digests };
        decoded.set(buffer, known);
      }
      // warnings: what the page noticed loading the file (a truncated file); the export logs them.
      return {
        id: known.id, sampleRate: buffer.sampleRate, length: buffer.length, channels, digests: await known.digests,
        warnings: trackWarnings(),
      };
    },

    /** Python's composite plan, for the preview and the export alike. @param {any} plan */
    configureCompositor(plan) {
      renderer.configure(plan);
      redraw();
      // A layer that was not ready yet (its font, its image, the track's features) drew without them: draw
      // again once it is.
      whenLayersReady().then(() => redraw(), () => redraw());
    },

    /** The paused preview's audio frame, from Python's offline analysis; drawn again once every layer is
     * ready, so the paused preview settles on what the export draws there. @param {any} frame */
    showPausedFrame(frame) {
      if (exporting || playback.playing) return;
      holdFrame(frame);
      redraw(frame.dt);
      whenLayersReady().then(() => redraw(frame.dt), () => redraw(frame.dt));
    },

    pausePlayback() {
      exporting = true;
      wasPlaying = playback.playing;
      playback.pause();
      onBusy(true);
    },

    restorePlayback() {
      exporting = false;
      if (wasPlaying) playback.play();
      wasPlaying = false;
      onBusy(false);
    },

    /** @param {number} width @param {number} height @param {any} audio
     * @param {'pixels' | 'video_frame'} [form] how the encoder takes frames: readFrame, or captureFrame
     *   (no read-back at all) */
    beginRender(width, height, audio, form = 'pixels') {
      if (form !== 'pixels' && form !== 'video_frame') throw new Error(`no frame form ${form}`);
      renderer.resize(width, height);
      stage.beginExportView();
      beginInjection(audio);
      frameForm = form;
      pixels = form === 'pixels' ? new Uint8Array(width * height * 4) : null;
    },

    /** Start drawing a frame with its audio; the GPU works on it while Python encodes the previous one.
     * @param {number} time @param {number} dt @param {Uint8Array} frequency @param {Uint8Array} timeDomain */
    drawFrame(time, dt, frequency, timeDomain) {
      if (!frameForm) throw new Error('drawFrame before beginRender');
      setInjectedFrame(frequency, timeDomain);
      renderer.render(time, dt);
      if (frameForm === 'pixels') renderer.startRead();
      else renderer.startFence();
    },

    /** The drawn frame as a VideoFrame of the canvas (resolves when the GPU is done with it): the pixels
     * stay in the browser. The encoder sets its timestamp; whoever takes it closes it. */
    async captureFrame() {
      if (frameForm !== 'video_frame') throw new Error('captureFrame outside a video-frame render');
      await renderer.waitForGpu();
      stage.snapshot();
      return new VideoFrame(renderer.canvas, { timestamp: 0, alpha: 'discard' });
    },

    /** The drawn frame, composited: RGBA, rows bottom-up (resolves when the GPU is done with it). */
    async readFrame() {
      if (!pixels) throw new Error('readFrame before beginRender');
      await renderer.readFrame(pixels);
      stage.snapshot();
      return pixels;
    },

    endRender() {
      endInjection();
      renderer.releaseRead();
      pixels = null;
      frameForm = null;
      stage.showPreviewSize();
      redraw();
      stage.endExportView();
    },

    /** This machine's last measured export figures (vizengine.export.estimate.Timing as JSON), kept across
     * reloads for the next estimate; null when there are none. */
    readTiming() {
      return localStorage.getItem(TIMING_KEY);
    },

    /** @param {string} json */
    writeTiming(json) {
      localStorage.setItem(TIMING_KEY, json);
    },

    /** @param {Blob} blob @param {string} name */
    async deliver(blob, name) {
      downloadBlob(blob, name);
      onDelivered(blob, name); // the dialog's result panel plays and re-downloads this same file
      return blob.size;
    },
  };
}
