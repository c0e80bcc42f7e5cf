// @ts-check
// The export log as a console: one element per line (so a level can be hidden and coloured), a level
// filter, "Copy log" and auto-scroll that gives way as soon as the user scrolls up to read.

/** The levels Python's ExportStore writes; a line of any other level is filed under info. */
export const LEVELS = /** @type {const} */ (['info', 'success', 'warning', 'error', 'perf']);

/** How close to the bottom (px) still counts as "at the bottom": zoom and rounding leave fractions. */
const BOTTOM_SLACK = 4;

/** @typedef {{n: number, t: number, level: string, message: string}} LogLine */

/** @param {LogLine} line */
const formatLine = (line) => `[${line.t.toFixed(2)}s] ${line.level}: ${line.message}`;

/**
 * Turn `log` (a <pre>, keeping its id so existing readers of its text still work) into a console.
 * Its toolbar goes right before it.
 * @param {HTMLElement} log
 */
export function setupExportConsole(log) {
  /** @type {LogLine[]} every line of this export, whatever the filter shows */
  let lines = [];
  let lastN = 0; // Python re-sends its latest lines with every state; n says which are new
  let follow = true;
  const shown = new Set(/** @type {string[]} */ ([...LEVELS]));

  const toolbar = document.createElement('div');
  toolbar.className = 'console-toolbar';
  const filter = document.createElement('fieldset');
  filter.className = 'console-filter';
  const legend = document.createElement('legend');
  legend.textContent = 'Show levels';
  filter.append(legend);
  for (const level of LEVELS) {
    const label = document.createElement('label');
    label.dataset.level = level;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.value = level;
    box.addEventListener('change', () => {
      if (box.checked) shown.add(level);
      else shown.delete(level);
      applyFilter();
    });
    label.append(box, ` ${level}`);
    filter.append(label);
  }
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.textContent = 'Copy log';
  const copyStatus = document.createElement('span');
  copyStatus.className = 'console-copy-status';
  copyStatus.setAttribute('role', 'status');
  toolbar.append(filter, copy, copyStatus);
  log.before(toolbar);
  log.classList.add('console');
  log.setAttribute('role', 'log');
  log.tabIndex = 0; // keyboard users can scroll it too
  log.dataset.follow = 'true';

  /** @param {string} level */
  const levelOf = (level) => (/** @type {readonly string[]} */ (LEVELS).includes(level) ? level : 'info');

  function applyFilter() {
    for (const element of /** @type {NodeListOf<HTMLElement>} */ (log.querySelectorAll('.log-line'))) {
      element.hidden = !shown.has(element.dataset.level ?? 'info');
    }
    if (follow) scrollToEnd();
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // Only the user's own scrolling decides: our scrollToEnd lands at the bottom, which keeps follow on.
  log.addEventListener('scroll', () => {
    follow = log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK;
    log.dataset.follow = String(follow);
  });

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(lines.map(formatLine).join('\n') + (lines.length ? '\n' : ''));
      copyStatus.textContent = `Copied ${lines.length} line${lines.length === 1 ? '' : 's'}`;
    } catch (error) {
      copyStatus.textContent = `Could not copy: ${error instanceof Error ? error.message : error}`;
    }
  });

  return {
    /** Forget the previous export's lines (a new one starts). */
    clear() {
      lines = [];
      lastN = 0;
      log.textContent = '';
      copyStatus.textContent = '';
      follow = true;
      log.dataset.follow = 'true';
    },

    /** Add the lines not shown yet. @param {LogLine[]} incoming */
    add(incoming) {
      const fragment = document.createDocumentFragment();
      for (const line of incoming) {
        if (line.n <= lastN) continue;
        lastN = line.n;
        lines.push(line);
        const element = document.createElement('span');
        element.className = 'log-line';
        element.dataset.level = levelOf(line.level);
        element.hidden = !shown.has(element.dataset.level);
        // The newline keeps the <pre>'s text (and a selection copied from it) one line per entry.
        element.textContent = `${formatLine(line)}\n`;
        fragment.append(element);
      }
      if (!fragment.childNodes.length) return;
      log.append(fragment);
      if (follow) scrollToEnd();
    },
  };
}
