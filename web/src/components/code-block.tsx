import { Box } from '@mui/material';
import { monoFont } from '@/theme/theme';

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
      component="pre"
      aria-label={label}
      tabIndex={0}
      sx={{
        m: 0,
        p: 1.5,
        maxHeight,
        overflow: 'auto',
        fontFamily: monoFont,
        fontSize: 12.5,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
        bgcolor: 'action.hover',
        borderRadius: 1,
      }}
    >
      {children}
    </Box>
  );
}
