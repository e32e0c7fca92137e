import { Chip } from '@mui/material';
import type { Message } from '@/lib/api/models';

/**
 * An outbound reply's `delivery_status` (queued, sent, delivered, read, failed; `delivery_error` says
 * why it failed), or an inbound message's processing `status` when it is pending or failed.
 * Nothing for the normal case.
 */
const TICKS: Record<string, string> = { sent: 'sent ✓', delivered: 'delivered ✓✓', read: 'read ✓✓' };

export function DeliveryChip({ message: m }: { message: Message }) {
  const inbound = m.status && /fail|pending|error/i.test(m.status) ? m.status : null;
  const status = m.delivery_status ?? inbound;
  if (!status) return null;
  const failed = /fail|error/i.test(status);
  return (
    <Chip
      size="small"
      color={failed ? 'error' : status === 'read' ? 'primary' : 'default'}
      variant={status === 'read' ? 'outlined' : 'filled'}
      label={failed && m.delivery_error ? `${status}: ${m.delivery_error}` : (TICKS[status] ?? status)}
      title={m.delivery_error ?? undefined}
      sx={{ maxWidth: 360 }}
    />
  );
}
