// @ts-check
// Track loading (demo or the user's file) and play/pause. A file that fails to decode shows a message
// and leaves the current track as it was; one that decodes shorter than it says gets a warning.
import { durationWarning, statedDuration } from '../audio/stated-duration.js';

/** @param {number} t */
function clock(t) {
  const m = Math.floor(t / 60);
  return `${m}:${(t - m * 60).toFixed(2).padStart(5, '0')}`;
}

/**
 * @typedef {{name: string, file: Blob | null}} LoadedTrack the user's file, or null for the demo track
 * @param {{playback: import('../audio/playback.js').Playback, demoURL: string, onTrack: (track: LoadedTrack) => void,
 *   isBusy: () => boolean}} deps
 */
export function setupTransport({ playback, demoURL, onTrack, isBusy }) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const play = /** @type {HTMLButtonElement} */ ($('play'));
  const fileInput = /** @type {HTMLInputElement} */ ($('audio-file'));
  const error = $('track-error');
  const warning = $('track-warning');

  const demo = /** @type {HTMLButtonElement} */ ($('use-demo'));
  const refresh = () => {
    // While exporting, the export owns playback and the track: switching either mid-way would confuse both.
    demo.disabled = fileInput.disabled = isBusy();
    play.disabled = !playback.buffer || isBusy();
    play.textContent = playback.playing ? 'Pause' : 'Play';
    $('track-name').textContent = playback.buffer ? `${playback.name} (${playback.duration.toFixed(2)} s)` : 'No track loaded';
  };
  playback.listen(refresh);

  /** @param {() => Promise<ArrayBuffer>} read @param {string} name @param {Blob} [file] the user's file */
  async function load(read, name, file) {
    error.hidden = true;
    try {
      const [, stated] = await Promise.all([(async () => playback.load(await read(), name))(),
        file ? statedDuration(file) : null]);
      // Only a track that loaded replaces the warning: a failed load keeps the current track and its note.
      warning.textContent = durationWarning(name, playback.duration, stated);
      warning.hidden = !warning.textContent;
      onTrack({ name, file: file ?? null });
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      error.hidden = false;
    }
    refresh();
    // The CLI's driver and the tests wait on this count: reloading the same track changes no name.
    const shown = $('track-name');
    shown.dataset.loads = String(Number(shown.dataset.loads ?? 0) + 1);
  }

  const loadDemo = () => load(async () => {
    const response = await fetch(demoURL);
    if (!response.ok) throw new Error(`the demo track could not be fetched (${response.status})`);
    return response.arrayBuffer();
  }, 'demo-track.wav');
  /** @param {Blob} file @param {string} name */
  const loadFile = (file, name) => load(() => file.arrayBuffer(), name, file);
  demo.addEventListener('click', () => void loadDemo());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void loadFile(file, file.name);
    fileInput.value = '';
  });
  play.addEventListener('click', () => (playback.playing ? playback.pause() : playback.play()));

  const tick = () => {
    $('clock').textContent = `${clock(playback.currentTime)} / ${clock(playback.duration)}`;
    requestAnimationFrame(tick);
  };
  tick();
  /** What the export should warn about in the loaded track (its log shows them). */
  const warnings = () => (warning.textContent ? [warning.textContent] : []);
  return { refresh, warnings, loadDemo, loadFile };
}
