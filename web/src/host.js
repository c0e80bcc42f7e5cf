// @ts-check
// The page side of the Python bridge (py/vizengine/_browser/bridge.py): every call Python makes into the
// page lands here, and nowhere else.
import { beginInjection, endInjection, setInjectedFrame } from './audio/audio-frame-data.js';
import { downloadBlob } from './download.js';
import { describeLayers, getLayers, readAllPixels, renderAllLayers, resetAllLayers, resizeAllLayers } from './layers/registry.js';

/**
 * @param {{
 *   project: {background: string, analyser: object},
 *   playback: import('./audio/playback.js').Playback,
 *   frames: import('./storage/frame-store.js').FrameStore,
 *   ffmpeg: import('./encoder/ffmpeg-runtime.js').FfmpegRuntime,
 *   stage: {showPreviewSize: () => void},
 *   onState: (state: any) => void,
 *   onBusy: (busy: boolean) => void,
 * }} deps
 */
export function createHost({ project, playback, frames, ffmpeg, stage, onState, onBusy }) {
  let wasPlaying = false;
  let exporting = false;
  /** @type {Uint8Array | null} */
  let pixels = null;

  return {
    frames,
    ffmpeg,
    onState,
    isExporting: () => exporting,

    project() {
      return { background: project.background, analyser: project.analyser, layers: describeLayers() };
    },

    async decodeAudio() {
      const buffer = playback.buffer;
      if (!buffer) return null;
      const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
      return { sampleRate: buffer.sampleRate, length: buffer.length, channels };
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

    /** @param {number} width @param {number} height @param {any} audio */
    beginRender(width, height, audio) {
      resizeAllLayers(width, height);
      resetAllLayers();
      beginInjection(audio);
      pixels = new Uint8Array(getLayers().length * width * height * 4);
    },

    /** Start drawing a frame; the GPU works on it while Python composites the previous one.
     * @param {number} index @param {number} time @param {number} dt */
    drawFrame(index, time, dt) {
      if (!pixels) throw new Error('drawFrame before beginRender');
      setInjectedFrame(index);
      renderAllLayers(time, dt);
    },

    /** The drawn frame's layer pixels (waits for the GPU). */
    readFrame() {
      if (!pixels) throw new Error('readFrame before beginRender');
      readAllPixels(pixels);
      return pixels;
    },

    endRender() {
      endInjection();
      pixels = null;
      stage.showPreviewSize();
      resetAllLayers();
    },

    /** @param {Blob} blob @param {string} name */
    async deliver(blob, name) {
      downloadBlob(blob, name);
      return blob.size;
    },
  };
}
