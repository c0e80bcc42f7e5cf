// @ts-check
// The loaded track's whole-track features (py/vizengine/audio/features.py, through the bridge's
// track_features): the bass energy per hop, its running integral and the onsets. Layers that depend on the
// music's history (particles) read them by time, so frame i is a function of its time alone.

/**
 * @typedef {object} TrackFeatures
 * @property {number} hopRate           hops per second; hop k is time k / hopRate
 * @property {Float32Array} energy      bass energy per hop, 1 = the track's mean
 * @property {Float32Array} cumulative  integral of energy up to each hop (energy-seconds)
 * @property {Float32Array} onsetTimes  seconds, ascending
 * @property {Float32Array} onsetStrengths 0..1
 */

/** @type {TrackFeatures | null} */
let current = null;
/** @type {unknown} */
let failure = null;
/** @type {Promise<void>} */
let pending = Promise.resolve();
let request = 0;

/** @param {any} reply @returns {TrackFeatures | null} */
function plain(reply) {
  if (reply === null || reply === undefined) return null;
  const value = typeof reply.toJs === 'function' ? reply.toJs({ dict_converter: Object.fromEntries }) : reply;
  const { hopRate, energy, cumulative, onsetTimes, onsetStrengths } = value;
  if (!(hopRate > 0) || !(cumulative instanceof Float32Array) || !(energy instanceof Float32Array)
    || !(onsetTimes instanceof Float32Array) || !(onsetStrengths instanceof Float32Array) || cumulative.length < 1) {
    throw new TypeError('track features: unexpected reply from Python');
  }
  return { hopRate, energy, cumulative, onsetTimes, onsetStrengths };
}

/**
 * Replace the features with those `compute` resolves to (a new track was loaded); until then layers see
 * none (particles rest). Only the latest call counts.
 * @param {() => any} compute resolves to the bridge's reply, or null with no track
 * @returns {Promise<void>}
 */
export function loadTrackFeatures(compute) {
  const mine = ++request;
  current = null;
  failure = null;
  pending = (async () => {
    try {
      const features = plain(await compute());
      if (mine === request) current = features;
    } catch (error) {
      if (mine === request) failure = error;
      console.error('track features:', error);
    }
  })();
  return pending;
}

/** Resolves once the latest load has settled; rejects if it failed. */
export async function trackFeaturesReady() {
  for (;;) {
    const mine = request;
    await pending;
    if (mine !== request) continue;
    if (failure) throw new Error(`The track's features could not be computed: ${failure instanceof Error ? failure.message : failure}`);
    return;
  }
}

/** @returns {TrackFeatures | null} */
export function getTrackFeatures() {
  return current;
}

/** Forget the track's features (no track). */
export function clearTrackFeatures() {
  request++;
  current = null;
  failure = null;
  pending = Promise.resolve();
}

/**
 * The integral of the bass energy from 0 to `time`, linear between hops (0 with no features).
 * @param {TrackFeatures | null} features @param {number} time seconds
 */
export function cumulativeEnergyAt(features, time) {
  if (!features) return 0;
  const c = features.cumulative;
  const last = c.length - 1;
  if (last === 0) return c[0];
  const pos = Math.min(Math.max(time * features.hopRate, 0), last);
  const k = Math.min(Math.floor(pos), last - 1);
  const frac = pos - k;
  return c[k] * (1 - frac) + c[k + 1] * frac;
}

/**
 * How many onsets fall at or before `time`: onsets [0, n) have happened.
 * @param {TrackFeatures | null} features @param {number} time
 */
export function onsetsUpTo(features, time) {
  if (!features) return 0;
  const t = features.onsetTimes;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
