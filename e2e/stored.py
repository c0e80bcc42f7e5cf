"""What an export left in the page's storage: IndexedDB records and Origin Private File System files."""

from __future__ import annotations

USAGE = "async () => await window.vizengine.segments.usage()"
OPFS_FILES = """async () => { const names = [];
  const walk = async (dir, path) => { for await (const [name, entry] of dir.entries()) {
    if (entry.kind === 'directory') await walk(entry, `${path}${name}/`); else names.push(path + name); } };
  await walk(await navigator.storage.getDirectory(), ''); return names; }"""


def stored(page) -> dict:
    """{"frames", "segments", "exports", "files"}: all zero/empty once an export is over."""
    usage = page.evaluate(USAGE)
    return {**usage, "files": page.evaluate(OPFS_FILES)}


NOTHING = {"frames": 0, "segments": 0, "exports": 0, "files": []}
