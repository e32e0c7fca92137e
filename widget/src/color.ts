/** Colour helpers so a business's brand colour never yields unreadable text (WCAG 2.x contrast). */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const FALLBACK: Rgb = { r: 0x25, g: 0x63, b: 0xeb };

export function parseHexColor(value: string | null | undefined): Rgb | null {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value ?? '').trim());
  if (!match) return null;
  let hex = match[1] as string;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = Number.parseInt(hex, 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

function channel(c: number) {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance({ r, g, b }: Rgb) {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: Rgb, b: Rgb) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE: Rgb = { r: 255, g: 255, b: 255 };
const INK: Rgb = { r: 17, g: 24, b: 39 };

export const toHex = ({ r, g, b }: Rgb) =>
  `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

function darken(c: Rgb, factor: number): Rgb {
  return { r: c.r * factor, g: c.g * factor, b: c.b * factor };
}

/**
 * The accent (the business's colour, darkened only if even dark text cannot reach 4.5:1 on it), the
 * text colour drawn on it — white or near-black, whichever contrasts more — and a focus-ring colour
 * that stands out on white (WCAG non-text contrast 3:1): the accent when it can, else near-black.
 */
export function accentPalette(value: string | null | undefined): {
  accent: string;
  onAccent: string;
  focus: string;
} {
  let accent = parseHexColor(value) ?? FALLBACK;
  for (let i = 0; i < 20; i++) {
    if (Math.max(contrastRatio(accent, WHITE), contrastRatio(accent, INK)) >= 4.5) break;
    accent = darken(accent, 0.9);
  }
  accent = { r: Math.round(accent.r), g: Math.round(accent.g), b: Math.round(accent.b) };
  const onAccent = contrastRatio(accent, WHITE) >= contrastRatio(accent, INK) ? WHITE : INK;
  const focus = contrastRatio(accent, WHITE) >= 3 ? accent : INK;
  return { accent: toHex(accent), onAccent: toHex(onAccent), focus: toHex(focus) };
}
