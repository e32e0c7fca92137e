import type { FieldDefinition } from '../../db/schema.js';
import type { DataMask } from '../fields/index.js';
import type { listConversationsForExport } from './conversations.repository.js';
import { customerName } from './customer-name.js';

type ExportRow = Awaited<ReturnType<typeof listConversationsForExport>>['rows'][number];

/**
 * One CSV cell (RFC 4180): a cell a spreadsheet would read as a formula (starting with = + - @, tab or
 * carriage return) gets a leading `'`; cells with a comma, quote or line break are quoted.
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const FIXED = [
  'conversation_id',
  'user_id',
  'customer',
  'channel',
  'status',
  'stage',
  'start_time',
  'last_updated',
] as const;

/**
 * The export: fixed columns, then one column per chosen field (its name as header; a business without
 * fields gets the whole collected data as JSON in `collected_data`). PII values masked by `mask`.
 */
export function conversationsCsv(
  rows: readonly ExportRow[],
  fields: readonly FieldDefinition[],
  allFields: boolean,
  mask: DataMask,
): string {
  const dataColumns = fields.map((f) => f.name);
  const whole = allFields && fields.length === 0;
  const header = [...FIXED, ...(whole ? ['collected_data'] : dataColumns)];
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const c = row.conversation;
    const data = mask(c.collectedData ?? {});
    const cells: unknown[] = [
      c.conversationId,
      c.userId,
      customerName({ ...row.customer, userId: c.userId, channel: c.channel, collectedData: data }),
      c.channel,
      c.status,
      row.stageName ?? '',
      c.startTime.toISOString(),
      c.lastUpdated.toISOString(),
      ...(whole ? [Object.keys(data).length ? data : ''] : dataColumns.map((name) => data[name])),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
