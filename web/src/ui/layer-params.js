// @ts-check
// One labelled control per parameter of a layer, built from contract.json's layerParams (the table
// Python checks projects against): a slider with its number for ranges, a colour picker, a select, a
// text field, or a file picker for an image. Text from the user only ever reaches the page as text.
import { LAYER_PARAMS } from '../contract.js';

/** @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} [children] */
export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * Read an image file as the data: URL a project embeds, refusing what is not an image or is too large
 * on a side before it reaches the project (Python checks the same limits when a project is opened).
 * @param {File} file @param {{maxSide: number, mimeTypes: string[]}} spec
 * @returns {Promise<string>}
 */
export async function readImageFile(file, spec) {
  if (!spec.mimeTypes.includes(file.type)) {
    throw new Error(`"${file.name}" is ${file.type || 'not an image'}; the image types allowed are ${spec.mimeTypes.join(', ')}`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`"${file.name}" is not a readable image`);
  }
  const { width, height } = bitmap;
  bitmap.close();
  if (Math.max(width, height) > spec.maxSide) {
    throw new Error(`"${file.name}" is ${width}x${height} px; at most ${spec.maxSide} px a side`);
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error(`"${file.name}" could not be read`));
    reader.readAsDataURL(file);
  });
}

/**
 * @param {import('../layers/registry.js').LayerSpec} layer
 * @param {(name: string, value: unknown) => void} set
 * @param {(message: string) => void} complain shows a refused input next to the editor
 * @returns {HTMLElement} a <div> of labelled fields
 */
export function paramFields(layer, set, complain) {
  const specs = LAYER_PARAMS[layer.kind]?.params ?? {};
  const fields = Object.entries(specs).map(([name, spec]) => {
    const label = `${layer.name} ${spec.label ?? name}`;
    const value = layer.params[name];
    /** @type {HTMLElement} */
    let control;
    if (spec.type === 'number' || spec.type === 'int') {
      const step = spec.type === 'int' ? '1' : String(spec.step ?? 0.01);
      const range = /** @type {HTMLInputElement} */ (element('input', {
        type: 'number', min: String(spec.min), max: String(spec.max), step, 'aria-label': label,
      }));
      range.value = String(value);
      range.addEventListener('change', () => {
        const number = Number(range.value);
        const ok = range.value !== '' && Number.isFinite(number) && number >= spec.min && number <= spec.max
          && (spec.type !== 'int' || Number.isInteger(number));
        range.setAttribute('aria-invalid', String(!ok));
        if (ok) set(name, number);
        else complain(`${label} must be ${spec.type === 'int' ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`);
      });
      control = range;
    } else if (spec.type === 'color') {
      const input = /** @type {HTMLInputElement} */ (element('input', { type: 'color', 'aria-label': label }));
      input.value = String(value);
      input.addEventListener('input', () => set(name, input.value));
      control = input;
    } else if (spec.type === 'choice') {
      const select = /** @type {HTMLSelectElement} */ (element('select', { 'aria-label': label }));
      for (const choice of spec.choices) select.add(new Option(choice, choice, false, choice === value));
      select.addEventListener('change', () => set(name, select.value));
      control = select;
    } else if (spec.type === 'text') {
      const input = /** @type {HTMLInputElement} */ (element('input', { type: 'text', maxlength: String(spec.maxLength), 'aria-label': label }));
      input.value = String(value ?? '');
      input.addEventListener('input', () => set(name, input.value));
      control = input;
    } else {
      const input = /** @type {HTMLInputElement} */ (element('input', { type: 'file', accept: spec.mimeTypes.join(','), 'aria-label': label }));
      input.addEventListener('change', async () => {
        const file = input.files?.[0];
        if (!file) return;
        try {
          set(name, await readImageFile(file, spec));
        } catch (error) {
          complain(error instanceof Error ? error.message : String(error));
        }
        input.value = '';
      });
      const clear = element('button', { type: 'button', 'aria-label': `${layer.name} remove image` }, ['Remove']);
      clear.addEventListener('click', () => set(name, null));
      control = element('span', { class: 'image-field' }, [input, ...(value ? [clear] : [])]);
    }
    return element('label', { class: 'param' }, [element('span', {}, [spec.label ?? name]), control]);
  });
  return element('div', { class: 'layer-params' }, fields);
}
