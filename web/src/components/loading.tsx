import { Box, CircularProgress, LinearProgress } from '@mui/material';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Box sx={{ display: 'flex', justifyContent: 'center', py: 6 }}>
      <CircularProgress aria-label={label} />
    </Box>
  );
}

export function TopProgress({ active }: { active: boolean }) {
  return <Box sx={{ height: 4 }}>{active && <LinearProgress aria-label="Loading" sx={{ height: 4 }} />}</Box>;
}
