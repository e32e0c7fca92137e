import { Chip } from '@mui/material';
import type { Message } from '@/lib/api/models';

/**
 * An outbound reply's `delivery_status` (queued, sent, delivered, read, failed; `delivery_error` says
 * why it failed), or an inbound message's processing `status` when it is pending or failed.
 * Nothing for the normal case.
 */
export function DeliveryChip({ message: m }: { message: Message }) {
  const inbound = m.status && /fail|pending|error/i.test(m.status) ? m.status : null;
  const label = m.delivery_status ?? inbound;
  if (!label) return null;
  return (
    <Chip
      size="small"
      color={/fail|error/i.test(label) ? 'error' : 'default'}
      label={label}
      title={m.delivery_error ?? undefined}
    />
  );
}
