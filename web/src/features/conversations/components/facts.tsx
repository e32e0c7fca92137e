import { Box, Chip } from '@mui/material';
import { formatValue } from '@/lib/format';

/** Extracted facts as compact key: value chips. */
export function Facts({
  data,
  label = 'Extracted facts',
}: {
  data: Record<string, unknown> | null | undefined;
  label?: string;
}) {
  const entries = Object.entries(data ?? {});
  if (entries.length === 0) return null;
  return (
    <Box aria-label={label} role="group" sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mt: 0.5 }}>
      {entries.map(([k, v]) => (
        <Chip key={k} size="small" color="secondary" variant="outlined" label={`${k}: ${formatValue(v)}`} />
      ))}
    </Box>
  );
}
