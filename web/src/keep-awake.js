// @ts-check
// Long exports: keep the screen awake where the browser allows it, and say so when the tab is hidden,
// because browsers throttle hidden tabs and the export slows to a crawl.

/** @param {(level: string, message: string) => void} log */
export function createKeepAwake(log) {
  /** @type {WakeLockSentinel | null} */
  let lock = null;
  let active = false;
  const onVisibility = () => {
    if (active && document.hidden) log('warning', 'The tab is hidden: the browser may slow the export down until it is visible again.');
  };
  return {
    async start() {
      active = true;
      document.addEventListener('visibilitychange', onVisibility);
      try {
        lock = (await navigator.wakeLock?.request('screen')) ?? null;
      } catch {
        lock = null; // denied or unsupported (headless): the export works without it
      }
    },
    stop() {
      active = false;
      document.removeEventListener('visibilitychange', onVisibility);
      void lock?.release();
      lock = null;
    },
  };
}
