// @ts-check
// What the user gets after an export: the file's facts, a player and a second download, all from the
// Blob the page delivered. That Blob reads an OPFS file the segment runtime keeps only until the next
// export starts, so everything pointing at it is dropped on clear() before then.
import { downloadBlob } from '../download.js';

/**
 * The dict App.start_export resolves with (vizengine.export.orchestrator.ExportResult + status).
 * @typedef {{status: string, file_name: string, mime: string, frames: number, duration: number,
 *   size: number, width: number, height: number, codecs?: string}} ExportResult
 */

/** @param {number} bytes */
export function formatSize(bytes) {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** @param {number} seconds */
export function formatDuration(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(2).padStart(5, '0')}`;
}

/** @param {HTMLElement} box an empty, hidden container in the dialog */
export function setupResultPanel(box) {
  /** @type {{blob: Blob, name: string} | null} */
  let delivered = null;
  /** @type {string | null} */
  let url = null;

  const heading = document.createElement('h3');
  heading.textContent = 'Result';
  const facts = document.createElement('dl');
  /** @type {Record<string, HTMLElement>} */
  const values = {};
  for (const [key, label] of [['name', 'File'], ['size', 'Size'], ['duration', 'Duration'], ['resolution', 'Resolution'], ['codecs', 'Codecs']]) {
    const term = document.createElement('dt');
    term.textContent = label;
    const value = document.createElement('dd');
    value.dataset.field = key;
    values[key] = value;
    facts.append(term, value);
  }
  const video = document.createElement('video');
  video.controls = true;
  video.preload = 'metadata';
  video.setAttribute('aria-label', 'Exported video');
  const playError = document.createElement('p');
  playError.className = 'result-play-error';
  playError.hidden = true;
  playError.textContent = 'This browser cannot play the file here; download it to play it elsewhere.';
  video.addEventListener('error', () => { if (url) playError.hidden = false; });
  const again = document.createElement('button');
  again.type = 'button';
  again.textContent = 'Download again';
  again.addEventListener('click', () => { if (delivered) downloadBlob(delivered.blob, delivered.name); });
  box.append(heading, facts, video, playError, again);
  box.hidden = true;

  return {
    /** The file as host.deliver handed it to the download. @param {Blob} blob @param {string} name */
    hold(blob, name) {
      delivered = { blob, name };
    },

    /** Show a completed export (the file must have been delivered). @param {ExportResult} result */
    show(result) {
      if (!delivered || delivered.name !== result.file_name) return;
      values.name.textContent = result.file_name;
      values.size.textContent = formatSize(result.size);
      values.size.title = `${result.size.toLocaleString('en')} bytes`;
      values.duration.textContent = `${formatDuration(result.duration)} (${result.frames} frames)`;
      values.resolution.textContent = `${result.width}×${result.height}`;
      values.codecs.textContent = result.codecs ?? '';
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(delivered.blob);
      playError.hidden = true;
      video.src = url;
      box.hidden = false;
    },

    /** A new export starts: let go of the old file before the segment runtime deletes it. */
    clear() {
      box.hidden = true;
      delivered = null;
      video.removeAttribute('src');
      video.load(); // makes the element drop the media it holds from the old URL
      if (url) URL.revokeObjectURL(url);
      url = null;
    },
  };
}
