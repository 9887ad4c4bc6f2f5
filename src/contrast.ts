/**
 * WCAG 2 contrast of colours, to check the status colours against the
 * themes' backgrounds.
 */

/**
 * An sRGB colour with channels 0–255 and alpha 0–1.
 */
export interface IRGBA {
  r: number;
  g: number;
  b: number;
  a: number;
}

/**
 * Parse `#rgb`, `#rrggbb`, `rgb(…)`, `rgba(…)`, `white` or `black`.
 *
 * @throws Error on any other syntax
 */
export function parseColour(text: string): IRGBA {
  const value = text.trim().toLowerCase();
  if (value === 'white') {
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  if (value === 'black') {
    return { r: 0, g: 0, b: 0, a: 1 };
  }
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(value);
  if (hex) {
    const digits =
      hex[1].length === 3
        ? hex[1]
            .split('')
            .map(d => d + d)
            .join('')
        : hex[1];
    return {
      r: parseInt(digits.slice(0, 2), 16),
      g: parseInt(digits.slice(2, 4), 16),
      b: parseInt(digits.slice(4, 6), 16),
      a: 1
    };
  }
  const rgb = /^rgba?\(([^)]*)\)$/.exec(value);
  if (rgb) {
    const parts = rgb[1].split(',').map(part => Number(part.trim()));
    if (parts.length >= 3 && parts.every(Number.isFinite)) {
      return { r: parts[0], g: parts[1], b: parts[2], a: parts[3] ?? 1 };
    }
  }
  throw new Error(`Not a colour: ${text}`);
}

/**
 * A (possibly translucent) colour as seen over an opaque background.
 */
export function over(colour: IRGBA, background: IRGBA): IRGBA {
  const mix = (c: number, b: number) => c * colour.a + b * (1 - colour.a);
  return {
    r: mix(colour.r, background.r),
    g: mix(colour.g, background.g),
    b: mix(colour.b, background.b),
    a: 1
  };
}

/**
 * WCAG relative luminance of an opaque colour.
 */
export function relativeLuminance(colour: IRGBA): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  return (
    0.2126 * linear(colour.r) +
    0.7152 * linear(colour.g) +
    0.0722 * linear(colour.b)
  );
}

/**
 * WCAG contrast ratio (1–21) of text over an opaque background.
 */
export function contrastRatio(text: string, background: string): number {
  const back = parseColour(background);
  const fore = over(parseColour(text), back);
  const l1 = relativeLuminance(fore);
  const l2 = relativeLuminance(back);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}
