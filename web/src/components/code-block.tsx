import { Box } from '@mui/material';
import { monoFont } from '@/theme/theme';

/**
 * Pre-formatted text (a prompt, an answer, a snippet) in a scrolling box. The box takes the
 * keyboard focus so it can be scrolled without a mouse; with a `label` it is a named region (a
 * name on the <pre> itself is not announced reliably).
 */
export function CodeBlock({
  children,
  label,
  maxHeight = 320,
}: {
  children: string;
  label?: string;
  maxHeight?: number;
}) {
  return (
    <Box
      component="section"
      aria-label={label}
      tabIndex={0}
      sx={{ maxHeight, overflow: 'auto', bgcolor: 'action.hover', borderRadius: 1 }}
    >
      <Box
        component="pre"
        sx={{
          m: 0,
          p: 1.5,
          fontFamily: monoFont,
          fontSize: 12.5,
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
        }}
      >
        {children}
      </Box>
    </Box>
  );
}
