import type { AppContext } from '../../context.js';
import type { ConversationRow } from './conversations.repository.js';
import type { MessageRow } from './messages.repository.js';

/**
 * Channels whose clients read replies by polling the transcript (GET /api/conversations/{id}): for
 * them, storing the message IS the delivery.
 */
const POLLED_CHANNELS = new Set(['api', 'simulator', 'widget']);

export const isPolledChannel = (channel: string) => POLLED_CHANNELS.has(channel);

/**
 * The status an agent reply is stored with: `sent` on a polled channel (it is visible once stored);
 * `queued` on a push channel (WhatsApp, Messenger), where nothing has been sent yet.
 */
export const agentReplyStatus = (channel: string) => (isPolledChannel(channel) ? 'sent' : 'queued');

/**
 * Hook for delivering a stored agent reply on the conversation's channel.
 *
 * - `api`, `simulator`, `widget`: nothing to do on purpose — web clients poll the transcript.
 * - `whatsapp`, `messenger`: NOT IMPLEMENTED YET (a later issue sends through the Graph API and moves
 *   the message from `queued` to `sent`/`failed`). Until then the message stays `queued`; this function
 *   does not pretend to send it.
 */
export async function deliverAgentReply(
  _ctx: AppContext,
  _conversation: ConversationRow,
  _message: MessageRow,
): Promise<void> {
  // Intentionally empty; see above.
}
