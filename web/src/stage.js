// @ts-check
// The preview stage: one canvas and its renderer (the project document puts the layers in it).
import { Renderer } from './gl/renderer.js';

/** How often the stage shows the frame an export just rendered: a copy costs a full-size read-back. */
const SNAPSHOT_MS = 500;

/**
 * @param {HTMLElement} container
 * @param {{preview: {width: number, height: number}}} project
 */
export function createStage(container, project) {
  const canvas = document.createElement('canvas');
  canvas.id = 'stage-canvas';
  container.appendChild(canvas);
  const renderer = new Renderer(canvas);
  const size = { ...project.preview };
  const showPreviewSize = () => renderer.resize(size.width, size.height);
  showPreviewSize();
  // During an export the WebGL canvas is hidden: shown, the software compositor (no GPU) reads it back on
  // the page's thread at every paint and waits for the frame the GPU is drawing, which froze the page for
  // 200-380 ms at a time (make bench). A 2D copy taken while the GPU is idle shows the export instead.
  const snapshot = document.createElement('canvas');
  snapshot.id = 'stage-snapshot';
  snapshot.hidden = true;
  container.appendChild(snapshot);
  let snapshotAt = -Infinity;
  return {
    renderer,
    showPreviewSize,
    beginExportView() {
      container.classList.add('exporting');
      snapshot.hidden = false;
      snapshotAt = -Infinity;
    },
    /** Copy the frame just drawn to the visible 2D canvas, at most once per SNAPSHOT_MS; call it only
     * while the GPU is idle (the copy waits for it). */
    snapshot() {
      const now = performance.now();
      if (snapshot.hidden || now - snapshotAt < SNAPSHOT_MS) return;
      snapshotAt = now;
      const { clientWidth, clientHeight } = snapshot;
      if (snapshot.width !== clientWidth || snapshot.height !== clientHeight) {
        snapshot.width = clientWidth;
        snapshot.height = clientHeight;
      }
      snapshot.getContext('2d')?.drawImage(canvas, 0, 0, snapshot.width, snapshot.height);
    },
    endExportView() {
      container.classList.remove('exporting');
      snapshot.hidden = true;
    },
    /** The preview's drawing-buffer size (tests compare it with an export at the same size). @param {number} width @param {number} height */
    setPreviewSize(width, height) {
      size.width = width;
      size.height = height;
      showPreviewSize();
    },
  };
}
