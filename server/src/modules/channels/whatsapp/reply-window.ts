import { sql } from 'drizzle-orm';
import type { AppContext } from '../../../context.js';
import { rowsOf, toDate } from '../../../db/raw-rows.js';
import { AppError } from '../../../errors.js';

const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * WhatsApp accepts a free-form message only within 24 hours of the customer's last message (after
 * that, only approved templates, which are later work). Refusing here gives the agent a clear 409
 * instead of a queued message that Meta would reject.
 */
export async function assertWhatsAppWindowOpen(ctx: AppContext, conversationId: string, now = new Date()) {
  const [row] = rowsOf(
    await ctx.db.execute(sql`
    SELECT max(created_at) AS last_at FROM messages
     WHERE conversation_id = ${conversationId} AND sender_type = 'user'`),
  );
  const last = row?.last_at ? toDate(row.last_at) : null;
  if (last && now.getTime() - last.getTime() <= WINDOW_MS) return;
  throw new AppError(
    'CONFLICT',
    last
      ? `WhatsApp allows free-form replies only within 24 hours of the customer's last message (last one at ${last.toISOString()}); a template message would be needed`
      : 'WhatsApp allows free-form replies only within 24 hours of a customer message, and this customer has not written',
    { last_customer_message_at: last?.toISOString() ?? null, window_hours: 24 },
  );
}
