// @ts-check
// During an export the dialog shows how long it has run, how fast it goes and when it should end: the
// elapsed time, the frames per second of the current phase and the ETA, all from Python's ExportStore
// (py/vizengine/export/eta.py measures this export's own rate).

const RUNNING = new Set(['preparing', 'rendering', 'encoding']);

/** m:ss, or h:mm:ss from an hour. @param {number} seconds */
export function clockText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** @param {HTMLElement} progressBox the dialog's #export-progress, with its #export-eta */
export function setupExportTiming(progressBox) {
  const eta = /** @type {HTMLElement} */ (progressBox.querySelector('#export-eta'));
  const elapsed = document.createElement('span');
  elapsed.id = 'export-elapsed';
  const fps = document.createElement('span');
  fps.id = 'export-fps';
  eta.before(elapsed, fps);

  /** @param {{phase: string, elapsed: number, fps?: number | null, eta: number | null}} state */
  const render = (state) => {
    const running = RUNNING.has(state.phase);
    // The last export's time stays readable after it ends; nothing shows before the first one.
    elapsed.textContent = state.phase === 'idle' ? '' : `Elapsed ${clockText(state.elapsed)}`;
    fps.textContent = running && state.fps ? `${state.fps.toFixed(1)} fps` : '';
    eta.textContent = running ? `ETA ${state.eta == null ? '…' : clockText(state.eta)}` : '';
  };
  return { render };
}
