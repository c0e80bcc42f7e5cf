// @ts-check
// The project the user edits, as one JSON document (the project description: background, analyser,
// layers), with undo and redo. Every edit makes a new document and applies it to the live layers; a
// document the layers refuse is not kept. The editor, autosave, the project file and Python all read it.
import { LAYER_DEFAULT_STYLES, LAYER_PARAMS, PROJECT_VERSION } from './contract.js';
import { LAYER_FACTORIES } from './layers/kinds.js';
import { applyLayers } from './layers/registry.js';

/** @typedef {import('./layers/registry.js').LayerSpec} LayerSpec */
/**
 * @typedef {object} ProjectJSON
 * @property {number} version
 * @property {string} background
 * @property {{fftSize: number, smoothing: number, minDb: number, maxDb: number}} analyser
 * @property {LayerSpec[]} layers
 */

// Slider drags send an edit per step; edits to the same field this close together are one undo step.
const MERGE_MS = 1500;
const HISTORY_LIMIT = 200;

/** @template T @param {T} value @returns {T} */
const copy = (value) => structuredClone(value);

/**
 * @param {WebGL2RenderingContext} gl
 * @param {{background: string, analyser: ProjectJSON['analyser']}} project the page's project settings
 *   (stage background, analyser), kept in step with the document
 * @param {ProjectJSON} initial
 */
export function createProjectDocument(gl, project, initial) {
  /** @type {ProjectJSON[]} */
  const past = [];
  /** @type {ProjectJSON[]} */
  const future = [];
  /** @type {Set<(change: {structural: boolean}) => void>} */
  const listeners = new Set();
  let mergeKey = '';
  let mergeAt = 0;
  /** @type {ProjectJSON} */
  let doc;

  /** @param {LayerSpec} spec */
  const create = (spec) => {
    const factory = LAYER_FACTORIES[spec.kind];
    if (!factory) throw new RangeError(`layer "${spec.name}": this page cannot draw "${spec.kind}" layers`);
    const style = { opacity: spec.opacity, blendMode: spec.blendMode, background: spec.background };
    return factory(gl, { ...spec.params, id: spec.id, style });
  };

  /** @param {ProjectJSON} next */
  function show(next) {
    // The document first: applyLayers tells its listeners (Python re-plans from current()).
    const before = doc;
    doc = next;
    try {
      applyLayers(next.layers, create);
    } catch (error) {
      doc = before;
      throw error;
    }
    project.background = next.background;
    Object.assign(project.analyser, next.analyser);
  }

  /** After the history is up to date, so listeners see canUndo/canRedo as they are. @param {boolean} structural */
  function notify(structural) {
    for (const listener of listeners) listener({ structural });
  }

  /** The current document, as Python's project description reads it. @returns {ProjectJSON} */
  function current() {
    return { ...copy(doc), version: PROJECT_VERSION };
  }

  /**
   * Change the document. `change` edits a copy in place; `merge` names the field so that a drag is one
   * undo step; `structural` tells the editor to rebuild its list (layers added, moved, renamed...).
   * @param {(draft: ProjectJSON) => void} change
   * @param {{merge?: string, structural?: boolean}} [options]
   */
  function edit(change, { merge = '', structural = false } = {}) {
    const draft = copy(doc);
    change(draft);
    const now = performance.now();
    const merging = merge !== '' && merge === mergeKey && now - mergeAt < MERGE_MS;
    const before = doc;
    show(draft);
    if (!merging) {
      past.push(before);
      if (past.length > HISTORY_LIMIT) past.shift();
    }
    future.length = 0;
    mergeKey = merge;
    mergeAt = now;
    notify(structural);
  }

  /** @param {ProjectJSON[]} from @param {ProjectJSON[]} to */
  function step(from, to) {
    const target = from.pop();
    if (!target) return false;
    const before = doc;
    try {
      show(target);
    } catch (error) {
      from.push(target);
      throw error;
    }
    to.push(before);
    mergeKey = '';
    notify(true);
    return true;
  }

  /** @param {string} id */
  const find = (id) => {
    const index = doc.layers.findIndex((layer) => layer.id === id);
    if (index < 0) throw new Error(`No layer with id "${id}"`);
    return index;
  };
  /** @param {string} base @param {ProjectJSON} draft */
  const freshId = (base, draft) => {
    const taken = new Set(draft.layers.map((layer) => layer.id));
    let n = 1;
    while (taken.has(`${base}-${n}`)) n += 1;
    return `${base}-${n}`;
  };

  show(copy(initial));

  return {
    current,
    listen(/** @type {(change: {structural: boolean}) => void} */ listener) { listeners.add(listener); },
    get canUndo() { return past.length > 0; },
    get canRedo() { return future.length > 0; },
    undo: () => step(past, future),
    redo: () => step(future, past),
    /** Replace the whole document (a project file opened, an autosave restored); undo can go back. @param {ProjectJSON} next */
    replace(next) {
      edit((draft) => { Object.assign(draft, copy(next)); }, { structural: true });
    },
    /** @param {string} kind @returns {string} the new layer's id */
    addLayer(kind) {
      if (!LAYER_PARAMS[kind]) throw new RangeError(`unknown layer kind "${kind}"`);
      let id = '';
      edit((draft) => {
        id = freshId(kind, draft);
        const params = Object.fromEntries(Object.entries(LAYER_PARAMS[kind].params).map(([name, spec]) => [name, spec.default]));
        const count = draft.layers.filter((layer) => layer.kind === kind).length + 1;
        draft.layers.push({
          id, name: `${LAYER_PARAMS[kind].label} ${count}`, kind, visible: true, ...LAYER_DEFAULT_STYLES[kind], params,
        });
      }, { structural: true });
      return id;
    },
    /** @param {string} id */
    removeLayer(id) { edit((draft) => { draft.layers.splice(find(id), 1); }, { structural: true }); },
    /** @param {string} id @returns {string} the copy's id, placed just above the original */
    duplicateLayer(id) {
      let copyId = '';
      edit((draft) => {
        const index = find(id);
        const original = draft.layers[index];
        copyId = freshId(original.kind, draft);
        draft.layers.splice(index + 1, 0, { ...copy(original), id: copyId, name: `${original.name} copy` });
      }, { structural: true });
      return copyId;
    },
    /** Move a layer towards the top (+) or bottom (-) of the stack. @param {string} id @param {number} by */
    moveLayer(id, by) {
      const index = find(id);
      const to = Math.max(0, Math.min(doc.layers.length - 1, index + by));
      if (to === index) return;
      edit((draft) => { draft.layers.splice(to, 0, ...draft.layers.splice(index, 1)); }, { structural: true });
    },
    /** @param {string} id @param {number} to index from the bottom */
    moveLayerTo(id, to) { this.moveLayer(id, to - find(id)); },
    /** @param {string} id @param {Partial<Pick<LayerSpec, 'name' | 'visible' | 'opacity' | 'blendMode' | 'background'>>} fields */
    setLayer(id, fields) {
      const structural = 'name' in fields;
      edit((draft) => { Object.assign(draft.layers[find(id)], fields); },
        { merge: `${id}:${Object.keys(fields).join()}`, structural });
    },
    /** The stage background (opaque #rrggbb) or the analyser settings every layer reads.
     * @param {{background?: string, analyser?: Partial<ProjectJSON['analyser']>}} fields */
    setProject({ background, analyser }) {
      edit((draft) => {
        if (background !== undefined) draft.background = background;
        if (analyser) Object.assign(draft.analyser, analyser);
      }, { merge: `project:${background !== undefined ? 'background' : Object.keys(analyser ?? {}).join()}` });
    },
    /** @param {string} id @param {string} name @param {unknown} value */
    setParam(id, name, value) {
      edit((draft) => { draft.layers[find(id)].params[name] = value; }, { merge: `${id}:params.${name}` });
    },
  };
}
