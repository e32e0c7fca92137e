import { Tooltip } from '@mui/material';
import type { ReactElement } from 'react';

/**
 * Wraps a control a role may not use: the tooltip says why (a disabled button gets no pointer
 * events, so the tooltip sits on a span around it). With no reason it renders the child alone.
 */
export function DisabledReason({ reason, children }: { reason: string | null; children: ReactElement }) {
  if (!reason) return children;
  return (
    <Tooltip title={reason}>
      <span style={{ display: 'inline-flex' }} data-disabled-reason={reason}>
        {children}
      </span>
    </Tooltip>
  );
}
