// @ts-check
// The text layer's fonts, shipped with the site (Fontsource packages, pinned in package.json; Vite bundles
// their woff2 files, SIL Open Font License 1.1): never fetched from anywhere else. Each family in the
// contract's `font` choices, in the two weights of its `weight` choices.
import '@fontsource/inter/400.css';
import '@fontsource/inter/700.css';
import '@fontsource/playfair-display/400.css';
import '@fontsource/playfair-display/700.css';
import '@fontsource/jetbrains-mono/400.css';
import '@fontsource/jetbrains-mono/700.css';

/** The contract's weight choice as a CSS font-weight. */
export const FONT_WEIGHTS = Object.freeze({ normal: 400, bold: 700 });
