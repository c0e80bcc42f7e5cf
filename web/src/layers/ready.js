// @ts-check
// Layers may need time before their first draw (a font to load, an image to decode, the track's features):
// such a layer has a `ready` promise. The export and the paused preview wait for all of them.
import { getLayers } from './registry.js';

/**
 * Resolves when every layer is ready; rejects with the first failure (its message names the layer).
 * @param {{ready?: Promise<void>}[]} [layers] default: the registry's
 */
export async function whenLayersReady(layers = getLayers()) {
  await Promise.all(layers.map((layer) => layer.ready));
}
