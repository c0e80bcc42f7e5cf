// @ts-check
// After a reload, a crash or a closed tab, an export's finished segments are still stored: offer to resume
// the ones Python says belong to the loaded track and the current project (or to discard them).

/**
 * @param {{
 *   box: HTMLElement, getApp: () => any,
 *   startWith: (settings: Record<string, unknown>) => void,
 * }} deps
 */
export function setupResumeOffer({ box, getApp, startWith }) {
  const text = /** @type {HTMLElement} */ (box.querySelector('.resume-text'));
  const resume = /** @type {HTMLButtonElement} */ (box.querySelector('.resume-start'));
  const discard = /** @type {HTMLButtonElement} */ (box.querySelector('.resume-discard'));
  /** @type {any} */
  let offer = null;

  async function refresh() {
    const app = getApp();
    if (!app) return;
    const found = await app.resumable_exports();
    const offers = found?.toJs ? found.toJs({ dict_converter: Object.fromEntries }) : found;
    offer = offers?.[0] ?? null;
    box.hidden = !offer;
    if (offer) {
      const { resolution, fps, format } = offer.settings;
      text.textContent = `Resume export — ${offer.done} of ${offer.total} frames done (${resolution}, ${fps} fps, ${format})`;
    }
  }

  resume.addEventListener('click', () => {
    if (!offer) return;
    box.hidden = true;
    startWith(offer.settings);
  });
  discard.addEventListener('click', async () => {
    if (!offer) return;
    box.hidden = true;
    await getApp()?.discard_export(offer.exportId);
    await refresh();
  });
  return { refresh };
}
