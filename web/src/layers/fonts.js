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
// Their licences (SIL OFL 1.1) ship beside them: Vite copies each file into the build.
import interLicence from '@fontsource/inter/LICENSE?url';
import jetbrainsMonoLicence from '@fontsource/jetbrains-mono/LICENSE?url';
import playfairDisplayLicence from '@fontsource/playfair-display/LICENSE?url';

/** Each shipped family's licence file in the build. */
export const FONT_LICENCES = Object.freeze({
  Inter: interLicence, 'Playfair Display': playfairDisplayLicence, 'JetBrains Mono': jetbrainsMonoLicence,
});

/** The contract's weight choice as a CSS font-weight. */
export const FONT_WEIGHTS = Object.freeze({ normal: 400, bold: 700 });
