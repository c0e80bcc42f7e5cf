// @ts-check
// The preview stage: one canvas and its renderer (the project document puts the layers in it).
import { Renderer } from './gl/renderer.js';

/** How often the stage shows the frame an export just rendered: a copy costs a full-size read-back. */
const SNAPSHOT_MS = 500;

/**
 * The preview's drawing-buffer size for frames of width x height: the same shape with about as many
 * pixels as `budget` (the project's 960x540), so a preview costs the same to draw whatever its shape.
 * @param {number} width @param {number} height @param {{width: number, height: number}} budget
 */
export function previewSizeFor(width, height, budget) {
  const scale = Math.sqrt((budget.width * budget.height) / (width * height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

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
  /** The box on the page takes the frame's shape (style.css letterboxes it by --aspect). */
  const showShape = (/** @type {number} */ width, /** @type {number} */ height) => {
    container.style.setProperty('--aspect', `${width} / ${height}`);
    container.dataset.aspect = `${width}x${height}`;
  };
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
      showShape(width, height);
      // An export owns the renderer's size meanwhile; it gives the preview its size back when it ends.
      if (!container.classList.contains('exporting')) showPreviewSize();
    },
    /** Preview frames of the export's shape (the dialog's resolution): its box and its drawing buffer.
     * @param {number} width @param {number} height the export's frame size */
    showAspect(width, height) {
      const preview = previewSizeFor(width, height, project.preview);
      this.setPreviewSize(preview.width, preview.height);
      showShape(width, height); // the exact shape: the buffer's is rounded to whole pixels
    },
  };
}
