// @ts-check
// The project toolbar: undo and redo (also Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y), save the project as a file,
// open one, and the autosave that brings the project, the export settings and the track back after a
// reload. Python checks every file opened (and the autosave) and names the field it refuses; a refused
// file changes nothing.
import { downloadBlob } from '../download.js';

const AUTOSAVE_MS = 400;
const FORMAT = 'vizengine-project';

/**
 * @param {{
 *   bar: HTMLElement,
 *   project: ReturnType<typeof import('../project-document.js').createProjectDocument>,
 *   store: import('../storage/project-store.js').ProjectStore,
 *   settings: {current: () => Record<string, string>, fill: (settings: Record<string, unknown>) => void, form: HTMLFormElement},
 *   track: {name: () => string | null, loadFile: (file: Blob, name: string) => Promise<void>, loadDemo: () => Promise<void>},
 *   getApp: () => any,
 *   busy: () => boolean,
 * }} deps
 */
export function setupProjectBar({ bar, project, store, settings, track, getApp, busy }) {
  // The CLI and the render farm drive the page with a project of their own: ?autosave=off neither
  // restores nor overwrites the user's autosave.
  const autosaving = new URLSearchParams(location.search).get('autosave') !== 'off';
  const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (bar.querySelector(selector));
  const undo = /** @type {HTMLButtonElement} */ ($('.project-undo'));
  const redo = /** @type {HTMLButtonElement} */ ($('.project-redo'));
  const save = /** @type {HTMLButtonElement} */ ($('.project-save'));
  const open = /** @type {HTMLInputElement} */ ($('.project-open input'));
  const status = $('.project-status');
  /** @param {string} text @param {'ok' | 'error'} [kind] */
  const say = (text, kind = 'ok') => { status.textContent = text; status.dataset.kind = kind; };

  const refresh = () => {
    const blocked = busy();
    undo.disabled = blocked || !project.canUndo;
    redo.disabled = blocked || !project.canRedo;
    save.disabled = blocked || !getApp();
    open.disabled = blocked || !getApp();
  };

  // --- autosave: the document and the dialog's settings after every change, the track when it loads ---
  let timer = 0;
  let restoring = true; // nothing is saved over the autosave before it has been read back
  const autosave = () => {
    if (restoring || !autosaving) return;
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      const text = JSON.stringify({ format: FORMAT, project: project.current(), settings: settings.current() });
      store.saveProject(text).catch((error) => say(`Autosave failed: ${error.message ?? error}`, 'error'));
    }, AUTOSAVE_MS);
  };
  project.listen(() => { refresh(); autosave(); });
  settings.form.addEventListener('change', autosave);

  /** @param {{name: string, file: Blob | null}} loaded */
  const trackLoaded = (loaded) => {
    if (!restoring && autosaving) store.saveTrack(loaded).catch((error) => say(`Autosave failed: ${error.message ?? error}`, 'error'));
  };

  /**
   * Python checks the text; only a project it accepts replaces the current one.
   * @param {string} text @param {string} source for messages
   * @returns {Promise<string>} '' once opened, else why not
   */
  async function openText(text, source) {
    const reply = await getApp().open_project_file(text);
    if (reply.status !== 'ready') {
      say(`${source} was not opened: ${reply.message}`, 'error');
      return reply.message;
    }
    project.replace(reply.project);
    if (reply.settings) settings.fill(reply.settings);
    const note = reply.track && reply.trackMatches === false
      ? ` It was made for the track "${reply.track.name}", not the one loaded.` : '';
    say(`Opened ${source}.${note}`);
    return '';
  }

  undo.addEventListener('click', () => { project.undo(); refresh(); });
  redo.addEventListener('click', () => { project.redo(); refresh(); });
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || busy()) return;
    const target = /** @type {HTMLElement} */ (event.target);
    // Text fields keep their own undo.
    if (target.matches?.('input[type="text"], input:not([type]), textarea')) return;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) { event.preventDefault(); project.undo(); refresh(); }
    if ((key === 'z' && event.shiftKey) || key === 'y') { event.preventDefault(); project.redo(); refresh(); }
  });

  save.addEventListener('click', async () => {
    const reply = await getApp().save_project_file(settings.current(), track.name());
    if (reply.status !== 'ready') {
      say(`The project was not saved: ${reply.message}`, 'error');
      return;
    }
    const stem = (track.name() ?? 'project').replace(/\.[^.]*$/, '');
    downloadBlob(new Blob([reply.text], { type: 'application/json' }), `${stem}.vizproject.json`);
    say(reply.settingsLeftOut ? 'Saved, without the export settings (some are not valid).' : 'Saved.');
  });
  open.addEventListener('change', async () => {
    const file = open.files?.[0];
    open.value = '';
    if (!file) return;
    try {
      await openText(await file.text(), `"${file.name}"`);
    } catch (error) {
      say(`"${file.name}" was not opened: ${error instanceof Error ? error.message : error}`, 'error');
    }
  });

  return {
    refresh,
    trackLoaded,
    openText,
    /** Before Python starts: show the autosaved project and load the autosaved track at once. */
    async restoreEarly() {
      if (!autosaving) return undefined;
      try {
        const saved = await store.load();
        if (saved.track) {
          await (saved.track.file ? track.loadFile(saved.track.file, saved.track.name) : track.loadDemo());
        }
        return saved.project;
      } catch (error) {
        say(`The autosaved project could not be read: ${error instanceof Error ? error.message : error}`, 'error');
        return undefined;
      } finally {
        refresh();
      }
    },
    /** Once Python runs: check the autosaved project there and show it, or say why not. @param {string | undefined} text */
    async restore(text) {
      try {
        if (text) await openText(text, 'the autosaved project');
      } finally {
        restoring = false;
        refresh();
      }
    },
  };
}
