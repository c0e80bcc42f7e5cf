// @ts-check
// The layer editor: a table with one row per layer (top layer first: show, name, opacity, blend mode,
// background), a list of kinds to add from, and under it the selected layer's own parameters, name and
// actions (duplicate, move, remove). Rows reorder by drag, by Alt+Arrow keys and by buttons; every edit
// goes through the project document, so undo/redo covers it and Python re-plans the composite.
import { BLEND_MODES, LAYER_KINDS, LAYER_PARAMS } from '../contract.js';
import { element, paramFields } from './layer-params.js';

const COLUMNS = ['Show', 'Layer', 'Opacity', 'Blend mode', 'Background'];
const BACKGROUNDS = [['transparent', 'transparent'], ['black', '#000000'], ['white', '#ffffff'], ['navy', '#101840']];

/**
 * @param {HTMLElement} panel the #layers-panel region
 * @param {ReturnType<typeof import('../project-document.js').createProjectDocument>} project
 * @param {{busy: () => boolean}} page
 */
export function setupLayerPanel(panel, project, page) {
  let selected = '';
  const status = element('p', { class: 'layers-status', role: 'status' });
  /** @param {string} message */
  const complain = (message) => { status.textContent = message; };
  /** Run an edit, showing why if the page refused it. @param {() => void} action */
  const attempt = (action) => {
    try {
      action();
      status.textContent = '';
    } catch (error) {
      complain(error instanceof Error ? error.message : String(error));
    }
  };

  const addKind = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': 'Layer type to add' }));
  for (const kind of LAYER_KINDS) addKind.add(new Option(LAYER_PARAMS[kind].label, kind));
  const addButton = element('button', { type: 'button' }, ['Add layer']);
  addButton.addEventListener('click', () => attempt(() => { selected = project.addLayer(addKind.value); render(); }));
  const table = element('table', { 'aria-labelledby': 'layers-heading' });
  const inspector = element('section', { class: 'layer-inspector', 'aria-label': 'Selected layer' });
  const projectBox = element('div', {});

  /** @param {import('../layers/registry.js').LayerSpec} layer */
  function row(layer) {
    const label = layer.name;
    const show = /** @type {HTMLInputElement} */ (element('input', { type: 'checkbox', 'aria-label': `Show ${label}` }));
    show.checked = layer.visible;
    show.addEventListener('change', () => attempt(() => project.setLayer(layer.id, { visible: show.checked })));

    const opacity = /** @type {HTMLInputElement} */ (element('input', {
      type: 'range', min: '0', max: '1', step: '0.01', 'aria-label': `${label} opacity`,
    }));
    opacity.value = String(layer.opacity);
    // The slider's position alone does not say "40 %"; the number beside it does, and follows it.
    const shown = element('output', { 'aria-hidden': 'true' });
    const showOpacity = () => { shown.textContent = `${Math.round(Number(opacity.value) * 100)} %`; };
    showOpacity();
    opacity.addEventListener('input', () => {
      showOpacity();
      attempt(() => project.setLayer(layer.id, { opacity: Number(opacity.value) }));
    });

    const blend = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': `${label} blend mode` }));
    for (const mode of BLEND_MODES) blend.add(new Option(mode, mode, false, mode === layer.blendMode));
    blend.addEventListener('change', () => attempt(() => project.setLayer(layer.id, { blendMode: blend.value })));

    const background = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': `${label} background` }));
    const choices = BACKGROUNDS.some(([, value]) => value === layer.background)
      ? BACKGROUNDS : [...BACKGROUNDS, [layer.background, layer.background]];
    for (const [text, value] of choices) background.add(new Option(text, value, false, value === layer.background));
    background.addEventListener('change', () => attempt(() => project.setLayer(layer.id, { background: background.value })));

    const pick = element('button', { type: 'button', class: 'layer-name', 'aria-pressed': String(layer.id === selected) },
      [label, element('span', { class: 'layer-kind' }, [LAYER_PARAMS[layer.kind]?.label ?? layer.kind])]);
    pick.addEventListener('click', () => { selected = layer.id; render(); });
    const tr = element('tr', { class: 'layer-row', 'data-layer': layer.id, draggable: 'true' }, [
      element('td', {}, [show]),
      element('th', { scope: 'row' }, [pick]),
      element('td', { class: 'layer-opacity' }, [opacity, shown]),
      element('td', {}, [blend]),
      element('td', {}, [background]),
    ]);
    if (layer.id === selected) tr.classList.add('selected');
    if (!layer.visible) tr.classList.add('hidden-layer');
    // Alt+Up/Down moves the layer, keeping focus on the same control of its row.
    tr.addEventListener('keydown', (event) => {
      if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
      event.preventDefault();
      const focused = /** @type {HTMLElement | null} */ (document.activeElement);
      const label = focused?.getAttribute('aria-label');
      attempt(() => project.moveLayer(layer.id, event.key === 'ArrowUp' ? 1 : -1));
      selected = layer.id;
      render();
      const again = label ? table.querySelector(`tr[data-layer="${CSS.escape(layer.id)}"] [aria-label="${CSS.escape(label)}"]`) : null;
      /** @type {HTMLElement | null} */ (again ?? table.querySelector(`tr[data-layer="${CSS.escape(layer.id)}"] .layer-name`))?.focus();
    });
    tr.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData('text/x-layer-id', layer.id);
      tr.classList.add('dragging');
    });
    tr.addEventListener('dragend', () => tr.classList.remove('dragging'));
    tr.addEventListener('dragover', (event) => event.preventDefault());
    tr.addEventListener('drop', (event) => {
      event.preventDefault();
      const dragged = event.dataTransfer?.getData('text/x-layer-id');
      if (!dragged || dragged === layer.id) return;
      // Rows show the top layer first, so dropping on a row puts the dragged layer at that row's place.
      const to = project.current().layers.findIndex((l) => l.id === layer.id);
      attempt(() => project.moveLayerTo(dragged, to));
      selected = dragged;
      render();
    });
    return tr;
  }

  /** @param {import('../layers/registry.js').LayerSpec} layer @param {number} index @param {number} count */
  function inspect(layer, index, count) {
    const name = /** @type {HTMLInputElement} */ (element('input', { type: 'text', maxlength: '80', 'aria-label': 'Layer name' }));
    name.value = layer.name;
    name.addEventListener('change', () => attempt(() => {
      if (!name.value.trim()) throw new Error('A layer needs a name');
      project.setLayer(layer.id, { name: name.value.trim() });
    }));
    /** @param {string} text @param {() => void} action @param {boolean} [disabled] */
    const button = (text, action, disabled = false) => {
      const node = /** @type {HTMLButtonElement} */ (element('button', { type: 'button' }, [text]));
      node.disabled = disabled;
      node.addEventListener('click', () => attempt(action));
      return node;
    };
    const actions = element('div', { class: 'layer-actions' }, [
      button('Move up', () => { project.moveLayer(layer.id, 1); render(); }, index === count - 1),
      button('Move down', () => { project.moveLayer(layer.id, -1); render(); }, index === 0),
      button('Duplicate', () => { selected = project.duplicateLayer(layer.id); render(); }),
      button('Remove', () => { project.removeLayer(layer.id); selected = ''; render(); }),
    ]);
    const fields = paramFields(layer, (param, value) => attempt(() => project.setParam(layer.id, param, value)), complain);
    inspector.replaceChildren(
      element('h3', {}, [`${layer.name} (${LAYER_PARAMS[layer.kind]?.label ?? layer.kind})`]),
      element('label', { class: 'param' }, [element('span', {}, ['Name']), name]),
      actions, fields,
    );
  }

  /** The stage background and the analyser's smoothing: settings of the whole project, not of a layer. */
  function projectFields() {
    const { background, analyser } = project.current();
    const stage = /** @type {HTMLInputElement} */ (element('input', { type: 'color', 'aria-label': 'Stage background' }));
    stage.value = /^#[0-9a-f]{6}$/i.test(background) ? background : '#000000';
    stage.addEventListener('input', () => attempt(() => project.setProject({ background: stage.value })));
    const smoothing = /** @type {HTMLInputElement} */ (element('input', {
      type: 'range', min: '0', max: '0.95', step: '0.05', 'aria-label': 'Spectrum smoothing',
    }));
    smoothing.value = String(analyser.smoothing);
    smoothing.addEventListener('input', () => attempt(() => project.setProject({ analyser: { smoothing: Number(smoothing.value) } })));
    return element('div', { class: 'project-fields' }, [
      element('label', { class: 'param' }, [element('span', {}, ['Stage background']), stage]),
      element('label', { class: 'param' }, [element('span', {}, ['Spectrum smoothing (0 follows every change)']), smoothing]),
    ]);
  }

  function render() {
    const { layers } = project.current();
    projectBox.replaceChildren(projectFields());
    if (!layers.some((layer) => layer.id === selected)) selected = layers.at(-1)?.id ?? '';
    const head = element('thead', {}, [element('tr', {}, COLUMNS.map((title) => element('th', { scope: 'col' }, [title])))]);
    table.replaceChildren(head, element('tbody', {}, [...layers].reverse().map(row)));
    const index = layers.findIndex((layer) => layer.id === selected);
    if (index >= 0) inspect(layers[index], index, layers.length);
    else inspector.replaceChildren(element('p', { class: 'layers-note' }, ['No layers: add one above.']));
    const busy = page.busy();
    for (const control of panel.querySelectorAll('input, select, button')) {
      /** @type {HTMLInputElement} */ (control).disabled ||= busy;
    }
  }

  project.listen(({ structural }) => { if (structural) render(); });
  panel.replaceChildren(
    element('h2', { id: 'layers-heading' }, ['Layers']),
    element('div', { class: 'layer-add' }, [addKind, addButton]),
    table,
    element('p', { class: 'layers-note' }, ['Top row is drawn last, over the others. Drag a row, or Alt+↑/↓, to reorder.']),
    status,
    inspector,
    projectBox,
  );
  render();
  return { render };
}
