import { accentPalette, contrastRatio, parseHexColor, type Rgb } from './color';

describe('accent colours', () => {
  it.each(['#ffeb3b', '#2563eb', '#000', '#ffffff', '#777777', '#00ff00', 'not-a-colour', ''])(
    '%s gives text with at least 4.5:1 contrast on the accent',
    (input) => {
      const { accent, onAccent } = accentPalette(input);
      const ratio = contrastRatio(parseHexColor(accent) as Rgb, parseHexColor(onAccent) as Rgb);
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('keeps a brand colour as it is when it already contrasts, and picks dark text on light colours', () => {
    expect(accentPalette('#2563EB')).toEqual({ accent: '#2563eb', onAccent: '#ffffff', focus: '#2563eb' });
    expect(accentPalette('#ffeb3b')).toMatchObject({ onAccent: '#111827', focus: '#111827' });
  });
});
