import { Box } from '@mui/material';
import { useMemo } from 'react';
import { diffLines } from '@/lib/line-diff';
import { monoFont } from '@/theme/theme';

export const ADDED_BG = 'rgba(46,125,50,0.14)';
export const REMOVED_BG = 'rgba(211,47,47,0.14)';

/** Two texts as one line diff: removed lines marked −, added lines +, the rest as they are. */
export function LineDiffView({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = useMemo(() => diffLines(before, after), [before, after]);
  return (
    <Box
      role="region"
      aria-label={label}
      tabIndex={0}
      sx={{
        fontFamily: monoFont,
        fontSize: 12.5,
        maxHeight: 420,
        overflow: 'auto',
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
      }}
    >
      {lines.map((d, i) => (
        <Box
          // biome-ignore lint/suspicious/noArrayIndexKey: diff lines have no identity
          key={i}
          sx={{
            px: 1,
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
            bgcolor: d.kind === 'add' ? ADDED_BG : d.kind === 'del' ? REMOVED_BG : undefined,
          }}
        >
          <Box component="span" aria-hidden sx={{ display: 'inline-block', width: 14, opacity: 0.6 }}>
            {d.kind === 'add' ? '+' : d.kind === 'del' ? '−' : ' '}
          </Box>
          {d.kind === 'add' ? (
            <ins style={{ textDecoration: 'none' }}>{d.text}</ins>
          ) : d.kind === 'del' ? (
            <del style={{ textDecoration: 'none' }}>{d.text}</del>
          ) : (
            d.text
          )}
        </Box>
      ))}
    </Box>
  );
}
