// @ts-check
// The preview stage: one canvas per layer, stacked in an isolated div whose background is the project's.
import { createPulseGradientLayer } from './layers/pulse-gradient.js';
import { registerLayer, resizeAllLayers } from './layers/registry.js';
import { createSpectrumBarsLayer } from './layers/spectrum-bars.js';
import { createWaveformLayer } from './layers/waveform.js';

/**
 * @param {HTMLElement} container
 * @param {{background: string, preview: {width: number, height: number}}} project
 */
export function createStage(container, project) {
  container.style.background = project.background;
  const factories = [
    ['background', createPulseGradientLayer],
    ['spectrum', createSpectrumBarsLayer],
    ['waveform', createWaveformLayer],
  ];
  for (const [id, create] of /** @type {[string, Function][]} */ (factories)) {
    const canvas = document.createElement('canvas');
    canvas.dataset.layer = id;
    container.appendChild(canvas);
    registerLayer(create(canvas, { id }));
  }
  const showPreviewSize = () => resizeAllLayers(project.preview.width, project.preview.height);
  showPreviewSize();
  return { showPreviewSize };
}
