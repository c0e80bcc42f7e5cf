// @ts-check
// While an export runs the page says so: the header shows its phase instead of "Ready", and leaving or
// reloading the page asks first (the export would stop; its finished segments stay for a resume).

const RUNNING = new Set(['preparing', 'rendering', 'encoding']);

/** @param {BeforeUnloadEvent} event */
function askBeforeLeaving(event) {
  event.preventDefault();
  event.returnValue = ''; // older Chromium shows the prompt only when this is set
}

/** @param {HTMLElement} status the header's #boot-status */
export function setupExportActivity(status) {
  let running = false;

  /** @param {{phase: string}} state */
  const render = (state) => {
    const now = RUNNING.has(state.phase);
    if (now) {
      // The phase only, no percentage: the header is a live region, and the dialog shows the progress.
      const text = `Exporting: ${state.phase[0].toUpperCase()}${state.phase.slice(1)}`;
      if (status.textContent !== text) status.textContent = text;
      status.dataset.state = 'exporting';
    } else if (running) {
      status.textContent = 'Ready';
      status.dataset.state = 'ready';
    }
    if (now !== running) {
      if (now) window.addEventListener('beforeunload', askBeforeLeaving);
      else window.removeEventListener('beforeunload', askBeforeLeaving);
    }
    running = now;
  };
  return { render };
}
