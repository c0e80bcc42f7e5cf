// @ts-check
// Boots Pyodide from the site itself (public/pyodide, put there by scripts/fetch_pyodide_assets.py) and
// unpacks the vizengine package next to it: no CDN, works offline once the site is served.

/**
 * @param {(message: string) => void} onStatus
 * @returns {Promise<any>} the Pyodide instance with numpy, Pillow and vizengine importable
 */
export async function bootPython(onStatus) {
  const base = new URL('./', document.baseURI);
  onStatus('Loading Python runtime…');
  const { loadPyodide } = await import(/* @vite-ignore */ new URL('pyodide/pyodide.mjs', base).href);
  const pyodide = await loadPyodide({ indexURL: new URL('pyodide/', base).href });
  onStatus('Loading numpy and Pillow…');
  await pyodide.loadPackage(['numpy', 'pillow'], { messageCallback: () => {} });
  onStatus('Loading viz-engine…');
  const response = await fetch(new URL('py/vizengine.zip', base));
  if (!response.ok) throw new Error(`could not fetch the vizengine package (${response.status})`);
  const site = '/home/pyodide/vizengine-site';
  pyodide.unpackArchive(await response.arrayBuffer(), 'zip', { extractDir: site });
  pyodide.runPython(`import sys\nif ${JSON.stringify(site)} not in sys.path: sys.path.insert(0, ${JSON.stringify(site)})`);
  return pyodide;
}
