import { readFileSync } from 'fs';
import { join } from 'path';

import { contrastRatio, parseColour } from '../../src/contrast';
import { RUN_STATUSES } from '../../src/format';

const ROOT = join(__dirname, '..', '..');
const STYLE = readFileSync(join(ROOT, 'style', 'base.css'), 'utf-8');
const MATERIAL = readFileSync(
  join(ROOT, 'node_modules/@jupyterlab/apputils/style/materialcolors.css'),
  'utf-8'
);

/**
 * --jp-layout-color1 (panels) and --jp-layout-color2 (hovered and selected
 * rows) of JupyterLab 4's light and dark themes.
 */
const BACKGROUNDS = {
  light: { 'layout-color1': 'white', 'layout-color2': '#eeeeee' },
  dark: { 'layout-color1': '#212121', 'layout-color2': '#424242' }
};

/** The declarations of the first rule with exactly this selector. */
function declarations(selector: string): Map<string, string> {
  const start = STYLE.indexOf(`\n${selector} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = STYLE.slice(start, STYLE.indexOf('}', start));
  const found = new Map<string, string>();
  for (const match of body.matchAll(/(--[\w-]+):\s*([^;]+);/g)) {
    found.set(match[1], match[2].trim());
  }
  return found;
}

/** The value of a `var(--md-…)` from JupyterLab's material colours. */
function resolve(value: string): string {
  const name = /^var\((--md-[\w-]+)\)$/.exec(value)?.[1];
  expect(name).toBeDefined();
  const match = new RegExp(`${name}:\\s*([^;]+);`).exec(MATERIAL);
  expect(match).not.toBeNull();
  return match![1].trim();
}

const THEMES = {
  light: declarations('.jp-autoflow-RunsPanel'),
  dark: declarations("body[data-jp-theme-light='false'] .jp-autoflow-RunsPanel")
};

describe('status text colours', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const status of RUN_STATUSES) {
      for (const [name, background] of Object.entries(BACKGROUNDS[theme])) {
        it(`${status} keeps 4.5:1 over ${name} in the ${theme} theme`, () => {
          const value = THEMES[theme].get(`--jp-autoflow-${status}-color`);
          expect(value).toBeDefined();
          const ratio = contrastRatio(resolve(value!), background);
          expect(ratio).toBeGreaterThanOrEqual(4.5);
        });
      }
    }
  }
});

describe('contrastRatio', () => {
  it('is 21 for black on white and 1 for equal colours', () => {
    expect(contrastRatio('#000', 'white')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1, 5);
  });

  it('blends translucent text over its background', () => {
    // --jp-ui-font-color2 of the light theme over white reads as #757575
    expect(contrastRatio('rgba(0,0,0,.54)', 'white')).toBeCloseTo(
      contrastRatio('#757575', 'white'),
      1
    );
    expect(parseColour('rgba(0, 0, 0, .54)').a).toBeCloseTo(0.54);
  });
});
