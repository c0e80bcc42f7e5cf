// @ts-check
// The single source of audio data for every layer. Live preview reads an AnalyserNode; export
// injects precomputed frames so a video frame's pixels depend only on its index, never on
// wall-clock playback. Layers must not touch the AnalyserNode themselves: if each did, the
// analyser's smoothing would advance several times per frame and layers would disagree.

/**
 * @typedef {object} AudioFrameData
 * @property {Uint8Array} frequency  fftSize/2 bytes, the analyser's dB-scaled magnitudes
 * @property {Uint8Array} timeDomain fftSize bytes, 128 = zero
 * @property {number} fftSize
 * @property {number} sampleRate
 * @property {boolean} injected      true while an export is feeding frames
 */


const SILENT_FFT_SIZE = 2048;
const SILENT_SAMPLE_RATE = 44100;

/** @type {AudioFrameData} */
const SILENCE = Object.freeze({
  frequency: new Uint8Array(SILENT_FFT_SIZE / 2),
  timeDomain: new Uint8Array(SILENT_FFT_SIZE).fill(128),
  fftSize: SILENT_FFT_SIZE,
  sampleRate: SILENT_SAMPLE_RATE,
  injected: false,
});

/** @type {AnalyserNode|null} */
let analyser = null;
/** @type {AudioFrameData|null} */
let liveFrame = null;

/** @type {AudioFrameData|null} */
let held = null;

/** @type {{fftSize: number, sampleRate: number}|null} */
let injection = null;
/** @type {AudioFrameData|null} */
let injectedFrame = null;

/**
 * Preallocated so the per-frame snapshot never allocates; reallocated only when the
 * analyser's fftSize changes (the UI may change it while previewing).
 * @param {AnalyserNode} node
 * @returns {AudioFrameData}
 */
function allocateLiveFrame(node) {
  return {
    frequency: new Uint8Array(node.frequencyBinCount),
    // Start at the zero line so a layer rendered before the first snapshot draws silence, not a clipped wave.
    timeDomain: new Uint8Array(node.fftSize).fill(128),
    fftSize: node.fftSize,
    sampleRate: node.context.sampleRate,
    injected: false,
  };
}

/**
 * Use this analyser for live preview, or null for silence.
 * @param {AnalyserNode|null} node
 */
export function setLiveAnalyser(node) {
  analyser = node ?? null;
  liveFrame = analyser ? allocateLiveFrame(analyser) : null;
}

/**
 * Advance the live snapshot by one rendered frame. The registry calls this exactly once per
 * frame before any layer renders. A no-op while injecting, because the exporter selects
 * frames explicitly with setInjectedFrame.
 */
export function nextAudioFrame() {
  if (injection || held || !analyser) return;
  if (!liveFrame || liveFrame.fftSize !== analyser.fftSize) liveFrame = allocateLiveFrame(analyser);
  liveFrame.sampleRate = analyser.context.sampleRate;
  analyser.getByteFrequencyData(liveFrame.frequency);
  analyser.getByteTimeDomainData(liveFrame.timeDomain);
}

/**
 * The current frame's audio: the injected frame during export, else the live snapshot, else
 * silence. Treat the arrays as read-only; live arrays are reused and overwritten next frame.
 * @returns {AudioFrameData}
 */
export function getAudioFrameData() {
  if (injection) return /** @type {AudioFrameData} */ (injectedFrame);
  return held ?? liveFrame ?? SILENCE;
}

/**
 * Show one offline analysis frame instead of the live analyser: the paused preview at time t holds
 * the export's frame round(t * fps), so the two show the same picture.
 * @param {{frequency: Uint8Array, timeDomain: Uint8Array, sampleRate: number}} frame
 */
export function holdFrame({ frequency, timeDomain, sampleRate }) {
  if (frequency.length * 2 !== timeDomain.length) {
    throw new RangeError(`holdFrame: ${frequency.length} bins need ${2 * frequency.length} samples, got ${timeDomain.length}`);
  }
  held = Object.freeze({ frequency, timeDomain, fftSize: timeDomain.length, sampleRate, injected: true });
}

/** Back to the live analyser (playback started). */
export function releaseHold() {
  held = null;
}

/**
 * @param {unknown} n
 * @returns {n is number}
 */
function isPositiveInteger(n) {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/**
 * Switch to export mode: from now on layers see only the frames the export injects, one per video
 * frame, and silence until the first. Frames come one at a time (setInjectedFrame) rather than the
 * whole analysis at once: a 30-minute track's analysis is hundreds of MB, and copying it in one go
 * froze the page for a second.
 * @param {{fftSize: number, sampleRate: number}} format
 */
export function beginInjection({ fftSize, sampleRate }) {
  if (!isPositiveInteger(fftSize) || fftSize % 2 !== 0) {
    throw new RangeError(`beginInjection: fftSize must be a positive even integer, got ${fftSize}`);
  }
  if (typeof sampleRate !== 'number' || !(sampleRate > 0)) {
    throw new RangeError(`beginInjection: sampleRate must be a positive number, got ${sampleRate}`);
  }
  injection = { fftSize, sampleRate };
  injectedFrame = Object.freeze({ ...SILENCE, frequency: new Uint8Array(fftSize / 2),
    timeDomain: new Uint8Array(fftSize).fill(128), fftSize, sampleRate, injected: true });
}

/**
 * The audio of the frame about to be drawn (the export's offline analysis of that frame).
 * @param {Uint8Array} frequency fftSize/2 bytes @param {Uint8Array} timeDomain fftSize bytes
 */
export function setInjectedFrame(frequency, timeDomain) {
  if (!injection) throw new Error('setInjectedFrame: no injection in progress (call beginInjection first)');
  const { fftSize, sampleRate } = injection;
  if (!(frequency instanceof Uint8Array) || !(timeDomain instanceof Uint8Array)) {
    throw new TypeError('setInjectedFrame: frequency and timeDomain must be Uint8Arrays');
  }
  if (frequency.length !== fftSize / 2 || timeDomain.length !== fftSize) {
    throw new RangeError(`setInjectedFrame: need ${fftSize / 2} bins and ${fftSize} samples, got ${frequency.length} and ${timeDomain.length}`);
  }
  // A fresh object per frame so anyone who kept the previous frame's data still sees that frame.
  injectedFrame = Object.freeze({ frequency, timeDomain, fftSize, sampleRate, injected: true });
}

/** Back to live mode; drops the references so the export buffers can be collected. */
export function endInjection() {
  injection = null;
  injectedFrame = null;
}
