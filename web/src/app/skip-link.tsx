import { Box } from '@mui/material';
import type { MouseEvent } from 'react';

export const MAIN_ID = 'main';

/**
 * "Skip to main content": the first focusable element of the shell, out of sight until it has the
 * keyboard focus; it moves the focus to `<main id="main" tabIndex={-1}>`, past the top bar and the
 * navigation. Focus is moved by hand (not by the `#main` fragment) so the URL stays as it is.
 */
export function SkipLink() {
  function skip(event: MouseEvent<HTMLAnchorElement>) {
    const main = document.getElementById(MAIN_ID);
    if (!main) return;
    event.preventDefault();
    main.focus();
    main.scrollIntoView?.({ block: 'start' });
  }
  return (
    <Box
      component="a"
      href={`#${MAIN_ID}`}
      onClick={skip}
      sx={{
        position: 'fixed',
        top: 8,
        left: 8,
        zIndex: (theme) => theme.zIndex.tooltip + 1,
        px: 2,
        py: 1,
        borderRadius: 1,
        bgcolor: 'background.paper',
        color: 'primary.main',
        fontWeight: 600,
        boxShadow: 3,
        transform: 'translateY(calc(-100% - 16px))',
        '&:focus': { transform: 'none' },
      }}
    >
      Skip to main content
    </Box>
  );
}
