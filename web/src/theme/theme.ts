import { createTheme, type Theme } from '@mui/material/styles';

/**
 * The keyboard focus ring (WCAG 2.4.7/2.4.11): a 2 px outline in the primary colour, which has at
 * least 7:1 contrast with the page and paper backgrounds in both colour schemes. MUI's ButtonBase
 * (buttons, icon buttons, nav and menu items, tabs, chips, checkboxes and switches) marks keyboard
 * focus with `.Mui-focusVisible`; plain links and other focusable elements use `:focus-visible`.
 * Text fields and selects (role="combobox") keep MUI's own focused border (2 px, primary). Items
 * that fill a scrolling container (nav, menus, tabs) get the ring inside their box so it is never
 * clipped.
 */
const focusRing = (theme: Theme, offset: number) => ({
  outline: `2px solid ${(theme.vars ?? theme).palette.primary.main}`,
  outlineOffset: offset,
});

export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'media' },
  colorSchemes: {
    light: {
      palette: {
        // Text in these colours (outlined buttons, chips, links) needs 4.5:1 on white and on the
        // page background (#f5f6fa): MUI's default warning (#ed6c02, 3.1:1), info (#0288d1) and our
        // old secondary (#00897b) fell short; these are the same hues, darker (5.0, 7.4, 5.3 : 1).
        primary: { main: '#3949ab' },
        secondary: { main: '#00796b' },
        warning: { main: '#b45309' },
        info: { main: '#01579b' },
        background: { default: '#f5f6fa' },
      },
    },
    dark: { palette: { primary: { main: '#9fa8da' }, secondary: { main: '#4db6ac' } } },
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: '1.6rem', fontWeight: 600 },
    h2: { fontSize: '1.25rem', fontWeight: 600 },
    h3: { fontSize: '1.05rem', fontWeight: 600 },
  },
  components: {
    // Global rules, each more specific than the one before it and than a component's own
    // `outline: 0` (one class), so the order in which styles are inserted does not matter.
    MuiCssBaseline: {
      styleOverrides: (theme: Theme) => ({
        'a:focus-visible, button:focus-visible, summary:focus-visible, [role="button"]:focus-visible, [tabindex="0"]:not([role="combobox"]):focus-visible':
          focusRing(theme, 2),
        '.MuiButtonBase-root.Mui-focusVisible': focusRing(theme, 2),
        '.MuiButtonBase-root.MuiListItemButton-root.Mui-focusVisible, .MuiButtonBase-root.MuiMenuItem-root.Mui-focusVisible, .MuiButtonBase-root.MuiTab-root.Mui-focusVisible':
          focusRing(theme, -2),
      }),
    },
    MuiTab: { styleOverrides: { root: { textTransform: 'none' } } },
    MuiButton: {
      defaultProps: { disableElevation: true },
      styleOverrides: { root: { textTransform: 'none' } },
    },
    MuiPaper: { defaultProps: { variant: 'outlined' } },
    MuiAppBar: { defaultProps: { elevation: 0 } },
    MuiTextField: { defaultProps: { size: 'small' } },
    MuiFormControl: { defaultProps: { size: 'small' } },
  },
});

export const monoFont = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';
