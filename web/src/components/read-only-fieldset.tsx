import { Alert, Box } from '@mui/material';
import type { ReactNode } from 'react';

/**
 * A section the role may look at but not change: every native control inside is disabled (a
 * disabled fieldset) and a note says why. With no reason the children render as they are.
 */
export function ReadOnlyFieldset({ reason, children }: { reason: string | null; children: ReactNode }) {
  if (!reason) return <>{children}</>;
  return (
    <>
      <Alert severity="info" role="note" sx={{ mb: 2 }}>
        Read only: {reason}
      </Alert>
      <Box component="fieldset" disabled sx={{ border: 0, p: 0, m: 0, minWidth: 0, opacity: 0.85 }}>
        {children}
      </Box>
    </>
  );
}
