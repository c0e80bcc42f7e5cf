// @ts-check
// Every layer kind the project can name, by its contract.json name: kind -> factory(gl, {id, style, ...params}).
// Parameter ranges and defaults live in contract.json (layerParams); the factories check them again
// because a bad value on the GPU draws garbage silently.
import { createImageLayer } from './image.js';
import { createParticlesLayer } from './particles.js';
import { createPulseGradientLayer } from './pulse-gradient.js';
import { createRadialSpectrumLayer } from './radial-spectrum.js';
import { createSpectrumBarsLayer } from './spectrum-bars.js';
import { createTextLayer } from './text.js';
import { createWaveformLayer } from './waveform.js';

/** @typedef {(gl: WebGL2RenderingContext, options: any) => import('./registry.js').Layer} LayerFactory */

/** @type {Readonly<Record<string, LayerFactory>>} */
export const LAYER_FACTORIES = Object.freeze({
  'pulse-gradient': createPulseGradientLayer,
  'spectrum-bars': createSpectrumBarsLayer,
  waveform: createWaveformLayer,
  'radial-spectrum': createRadialSpectrumLayer,
  particles: createParticlesLayer,
  text: createTextLayer,
  image: createImageLayer,
});
