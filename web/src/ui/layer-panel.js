// @ts-check
// The layer list: a table with one row per layer (top layer first) and a labelled column per setting:
// opacity, blend mode and background colour. Each change goes to Python, which plans the composite for
// the preview and, later, the export.
import { BLEND_MODES } from '../contract.js';
import { getLayers, setLayerStyle } from '../layers/registry.js';

const COLUMNS = ['Layer', 'Opacity', 'Blend mode', 'Background'];
const BACKGROUNDS = [['transparent', 'transparent'], ['black', '#000000'], ['white', '#ffffff'], ['navy', '#101840']];

/** @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} [children] */
function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** @param {import('../layers/registry.js').Layer} layer */
function layerRow(layer) {
  const opacity = /** @type {HTMLInputElement} */ (element('input', {
    type: 'range', min: '0', max: '1', step: '0.01', 'aria-label': `${layer.id} opacity`,
  }));
  opacity.value = String(layer.style.opacity);
  // The slider's position alone does not say "40 %"; the number beside it does, and follows it.
  const shown = element('output', { 'aria-hidden': 'true' });
  const showOpacity = () => { shown.textContent = `${Math.round(Number(opacity.value) * 100)} %`; };
  showOpacity();
  opacity.addEventListener('input', () => {
    showOpacity();
    setLayerStyle(layer.id, { opacity: Number(opacity.value) });
  });

  const blend = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': `${layer.id} blend mode` }));
  for (const mode of BLEND_MODES) blend.add(new Option(mode, mode, false, mode === layer.style.blendMode));
  blend.addEventListener('change', () => setLayerStyle(layer.id, { blendMode: blend.value }));

  const background = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': `${layer.id} background` }));
  for (const [label, value] of BACKGROUNDS) background.add(new Option(label, value, false, value === layer.style.background));
  background.addEventListener('change', () => setLayerStyle(layer.id, { background: background.value }));

  const name = element('th', { scope: 'row' }, [`${layer.id} `, element('span', { class: 'layer-kind' }, [`(${layer.kind})`])]);
  const row = element('tr', { class: 'layer-row', 'data-layer': layer.id }, [
    name,
    element('td', { class: 'layer-opacity' }, [opacity, shown]),
    element('td', {}, [blend]),
    element('td', {}, [background]),
  ]);
  return row;
}

/** @param {HTMLElement} panel the #layers-panel region */
export function setupLayerPanel(panel) {
  const heading = element('h2', { id: 'layers-heading' }, ['Layers']);
  const head = element('thead', {}, [element('tr', {}, COLUMNS.map((title) => element('th', { scope: 'col' }, [title])))]);
  const body = element('tbody', {}, [...getLayers()].reverse().map(layerRow));
  const note = element('p', { class: 'layers-note' }, ['Top row is drawn last, over the others.']);
  panel.replaceChildren(heading, element('table', { 'aria-labelledby': 'layers-heading' }, [head, body]), note);
}
