// @ts-check
// Boots Pyodide from the site itself (public/pyodide, put there by scripts/fetch_pyodide_assets.py) and
// installs the vizengine wheel (public/py, built by scripts/build_wheel.py) with micropip from the same
// origin: no CDN, never PyPI, works offline once the site is served.

/**
 * What scripts/build_wheel.py writes to py/wheel.json.
 * @typedef {object} WheelInfo
 * @property {string} wheel the wheel's file name, e.g. vizengine-0.1.0-py3-none-any.whl
 * @property {string} buildId the first 16 hex digits of the wheel's sha256: which Python core the page runs
 */

/** @type {WheelInfo | null} */
let installed = null;

/**
 * The vizengine wheel this page runs (file name and build id), or null before bootPython resolves.
 * @returns {WheelInfo | null}
 */
export function pythonBuild() {
  return installed;
}

/**
 * @param {unknown} value
 * @returns {WheelInfo}
 */
function checkWheelInfo(value) {
  const info = /** @type {Partial<WheelInfo> | null} */ (value);
  if (!info || typeof info.wheel !== 'string' || !/^vizengine-[^/]+\.whl$/.test(info.wheel)
    || typeof info.buildId !== 'string' || !/^[0-9a-f]{16}$/.test(info.buildId)) {
    throw new Error('py/wheel.json does not name a vizengine wheel and its build id');
  }
  return { wheel: info.wheel, buildId: info.buildId };
}

/**
 * @param {(message: string) => void} onStatus
 * @returns {Promise<any>} the Pyodide instance with numpy, Pillow and vizengine importable; the wheel's
 *   build id is then available from pythonBuild()
 */
export async function bootPython(onStatus) {
  const base = new URL('./', document.baseURI);
  onStatus('Loading Python runtime…');
  const { loadPyodide } = await import(/* @vite-ignore */ new URL('pyodide/pyodide.mjs', base).href);
  const pyodide = await loadPyodide({ indexURL: new URL('pyodide/', base).href });
  onStatus('Loading numpy and Pillow…');
  // micropip (and its dependency packaging) come from the same pyodide/ folder, listed in pyodide-lock.json.
  await pyodide.loadPackage(['numpy', 'pillow', 'micropip'], { messageCallback: () => {} });
  onStatus('Loading viz-engine…');
  const response = await fetch(new URL('py/wheel.json', base), { cache: 'no-cache' });
  if (!response.ok) throw new Error(`could not fetch py/wheel.json (${response.status})`);
  const info = checkWheelInfo(await response.json());
  // The build id in the query keeps an HTTP cache from serving an older wheel of the same version.
  const url = new URL(`py/${info.wheel}?build=${info.buildId}`, base).href;
  const micropip = pyodide.pyimport('micropip');
  try {
    // deps=False: numpy and Pillow are loaded above; micropip must not look anything up on an index.
    await micropip.install.callKwargs(url, { deps: false });
  } finally {
    micropip.destroy();
  }
  // micropip records the sha256 of the bytes it installed: they must be the wheel wheel.json names.
  const sha256 = pyodide.runPython(
    "import importlib.metadata\nimportlib.metadata.distribution('vizengine').read_text('PYODIDE_SHA256') or ''",
  );
  if (typeof sha256 !== 'string' || !sha256.startsWith(info.buildId)) {
    throw new Error(`the vizengine wheel served (sha256 ${sha256 || 'unknown'}) is not build ${info.buildId}`);
  }
  installed = info;
  return pyodide;
}
