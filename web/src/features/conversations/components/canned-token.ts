import type { CannedReply } from '@/lib/api/inbox-models';

/** A `/shortcut` being typed just before the caret: where it starts and what follows the slash. */
export interface SlashToken {
  start: number;
  end: number;
  query: string;
}

export function slashToken(text: string, caret: number): SlashToken | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([a-z0-9_-]*)$/i.exec(before);
  if (!m) return null;
  const start = caret - (m[2] as string).length - 1;
  return { start, end: caret, query: (m[2] as string).toLowerCase() };
}

/** Shortcuts starting with the query first, then those containing it; both by shortcut. */
export function matchCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase();
  const starts = replies.filter((r) => r.shortcut.startsWith(q));
  const contains = replies.filter(
    (r) =>
      !r.shortcut.startsWith(q) &&
      (r.shortcut.includes(q) || (q.length > 1 && r.content.toLowerCase().includes(q))),
  );
  return [...starts, ...contains];
}

/** The text with the token replaced by the reply (rendered for this conversation when the server did). */
export function insertCanned(
  text: string,
  token: SlashToken,
  reply: CannedReply,
): { text: string; caret: number } {
  const insert = reply.rendered ?? reply.content;
  return {
    text: text.slice(0, token.start) + insert + text.slice(token.end),
    caret: token.start + insert.length,
  };
}
