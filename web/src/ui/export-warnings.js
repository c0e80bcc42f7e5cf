// @ts-check
// The export's warnings (silent track, no visible layer, a damaged file, a hidden tab) in a list of their
// own above the log, so they are seen without reading the log line by line.

/** @param {HTMLElement} list the dialog's #export-warnings */
export function setupExportWarnings(list) {
  let seen = 0; // sequence number of the last log line looked at

  /** Forget the previous export's warnings (its log numbering starts again at 1). */
  const clear = () => {
    seen = 0;
    list.replaceChildren();
    list.hidden = true;
  };

  /** @param {{logs: {n: number, level: string, message: string}[]}} state */
  const render = (state) => {
    for (const line of state.logs) {
      if (line.n <= seen) continue;
      seen = line.n;
      if (line.level !== 'warning') continue;
      const item = document.createElement('li');
      item.textContent = line.message;
      list.append(item);
      list.hidden = false;
    }
  };
  clear();
  return { clear, render };
}
