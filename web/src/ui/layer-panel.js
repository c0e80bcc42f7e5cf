// @ts-check
// One row per layer: opacity, blend mode and background colour. Each change goes to Python, which plans
// the composite for the preview and, later, the export.
import { BLEND_MODES } from '../contract.js';
import { getLayers, setLayerStyle } from '../layers/registry.js';

/** @param {HTMLElement} panel */
export function setupLayerPanel(panel) {
  panel.replaceChildren();
  for (const layer of [...getLayers()].reverse()) {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.dataset.layer = layer.id;

    const name = document.createElement('span');
    name.textContent = `${layer.id} (${layer.kind})`;

    const opacity = document.createElement('input');
    opacity.type = 'range';
    opacity.min = '0';
    opacity.max = '1';
    opacity.step = '0.01';
    opacity.value = String(layer.style.opacity);
    opacity.setAttribute('aria-label', `${layer.id} opacity`);
    opacity.addEventListener('input', () => setLayerStyle(layer.id, { opacity: Number(opacity.value) }));

    const blend = document.createElement('select');
    blend.setAttribute('aria-label', `${layer.id} blend mode`);
    for (const mode of BLEND_MODES) blend.add(new Option(mode, mode, false, mode === layer.style.blendMode));
    blend.addEventListener('change', () => setLayerStyle(layer.id, { blendMode: blend.value }));

    const background = document.createElement('select');
    background.setAttribute('aria-label', `${layer.id} background`);
    for (const [label, value] of [['transparent', 'transparent'], ['black', '#000000'], ['white', '#ffffff'], ['navy', '#101840']]) {
      background.add(new Option(label, value, false, value === layer.style.background));
    }
    background.addEventListener('change', () => setLayerStyle(layer.id, { background: background.value }));

    row.append(name, opacity, blend, background);
    panel.appendChild(row);
  }
}
