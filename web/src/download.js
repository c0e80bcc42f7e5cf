// @ts-check
/** Offer a finished file to the user as a download. @param {Blob} blob @param {string} name */
export function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own reference by now; keep the URL a while for slow file dialogs anyway.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
