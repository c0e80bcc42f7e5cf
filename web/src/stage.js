// @ts-check
// The preview stage: one canvas, one renderer, the project's layers.
import { Renderer } from './gl/renderer.js';
import { createPulseGradientLayer } from './layers/pulse-gradient.js';
import { registerLayer } from './layers/registry.js';
import { createSpectrumBarsLayer } from './layers/spectrum-bars.js';
import { createWaveformLayer } from './layers/waveform.js';

/**
 * @param {HTMLElement} container
 * @param {{preview: {width: number, height: number}}} project
 */
export function createStage(container, project) {
  const canvas = document.createElement('canvas');
  canvas.id = 'stage-canvas';
  container.appendChild(canvas);
  const renderer = new Renderer(canvas);
  const factories = [
    ['background', createPulseGradientLayer],
    ['spectrum', createSpectrumBarsLayer],
    ['waveform', createWaveformLayer],
  ];
  for (const [id, create] of /** @type {[string, Function][]} */ (factories)) registerLayer(create(renderer.gl, { id }));
  const size = { ...project.preview };
  const showPreviewSize = () => renderer.resize(size.width, size.height);
  showPreviewSize();
  return {
    renderer,
    showPreviewSize,
    /** The preview's drawing-buffer size (tests compare it with an export at the same size). @param {number} width @param {number} height */
    setPreviewSize(width, height) {
      size.width = width;
      size.height = height;
      showPreviewSize();
    },
  };
}
