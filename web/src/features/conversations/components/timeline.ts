import type { Note } from '@/lib/api/inbox-models';
import type { LlmCall, Message, StageTransition } from '@/lib/api/models';

/** The pipeline's steps in the order they run; anything else after them. */
const STEP_ORDER: Record<string, number> = {
  stage_selection: 0,
  data_extraction: 1,
  response_generation: 2,
};

/** What the assistant did for one customer message, folded into one line of the transcript. */
export interface TurnSummary {
  messageId: string;
  stage: string | null;
  facts: Record<string, unknown>;
  /** Selection, extraction, response (then others), each group by time: the same order every render. */
  calls: LlmCall[];
  /** Speculative calls whose result was not used (shown only on demand). */
  discarded: LlmCall[];
  totalMs: number;
  failed: boolean;
}

export function orderCalls(calls: readonly LlmCall[]): LlmCall[] {
  return [...calls].sort(
    (a, b) =>
      (STEP_ORDER[a.call_type] ?? 9) - (STEP_ORDER[b.call_type] ?? 9) ||
      a.created_at.localeCompare(b.created_at) ||
      a.llm_call_id.localeCompare(b.llm_call_id),
  );
}

export function summariseTurn(
  message: Message,
  calls: readonly LlmCall[],
  stageName: (id: string | null | undefined) => string | null,
): TurnSummary | null {
  const facts = message.extracted_data ?? {};
  if (calls.length === 0 && Object.keys(facts).length === 0) return null;
  const ordered = orderCalls(calls);
  const used = ordered.filter((c) => c.status !== 'discarded');
  return {
    messageId: message.message_id,
    stage: stageName(message.stage_id),
    facts,
    calls: used,
    discarded: ordered.filter((c) => c.status === 'discarded'),
    totalMs: used.reduce((s, c) => s + (c.latency_ms ?? 0), 0),
    failed: used.some((c) => !!c.status && /error|fail|timeout/i.test(c.status)),
  };
}

export type TimelineItem =
  | { kind: 'message'; key: string; message: Message; turn: TurnSummary | null }
  | { kind: 'note'; key: string; note: Note }
  | { kind: 'divider'; key: string; label: string; tone: 'stage' | 'handoff' };

/**
 * The transcript's rows: messages in sequence order, each customer message followed by its folded
 * turn; notes placed by time; a stage change (and a hand-off, when the new stage hands off) as a
 * divider before the message that caused it.
 */
export function buildTimeline({
  messages,
  notes,
  llmCalls,
  transitions,
  stageName,
  isHandoffStage,
}: {
  messages: readonly Message[];
  notes: readonly Note[];
  llmCalls: readonly LlmCall[];
  transitions: readonly StageTransition[];
  stageName: (id: string | null | undefined) => string | null;
  isHandoffStage: (id: string | null | undefined) => boolean;
}): TimelineItem[] {
  const callsByMessage = new Map<string, LlmCall[]>();
  for (const c of llmCalls) {
    if (!c.message_id) continue;
    callsByMessage.set(c.message_id, [...(callsByMessage.get(c.message_id) ?? []), c]);
  }
  const dividersFor = (t: StageTransition): TimelineItem[] => {
    const to = stageName(t.to_stage_id) ?? t.to_stage_name ?? 'another stage';
    const from = t.from_stage_id ? (stageName(t.from_stage_id) ?? t.from_stage_name) : null;
    const out: TimelineItem[] = [
      {
        kind: 'divider',
        key: `stage-${t.stage_transition_id}`,
        label: from ? `Stage: ${from} → ${to}` : `Stage: ${to}`,
        tone: 'stage',
      },
    ];
    if (isHandoffStage(t.to_stage_id))
      out.push({
        kind: 'divider',
        key: `handoff-${t.stage_transition_id}`,
        label: `Handed off to the team (stage ${to})`,
        tone: 'handoff',
      });
    return out;
  };
  const byMessage = new Map<string, StageTransition[]>();
  const loose: StageTransition[] = [];
  const ids = new Set(messages.map((m) => m.message_id));
  for (const t of transitions) {
    if (t.message_id && ids.has(t.message_id))
      byMessage.set(t.message_id, [...(byMessage.get(t.message_id) ?? []), t]);
    else loose.push(t);
  }

  // Timed things that are not messages: notes and transitions no message explains.
  const timed: { at: string; items: TimelineItem[] }[] = [
    ...notes.map((n) => ({
      at: n.created_at,
      items: [{ kind: 'note', key: `note-${n.note_id}`, note: n } as TimelineItem],
    })),
    ...loose.map((t) => ({ at: t.created_at, items: dividersFor(t) })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  const out: TimelineItem[] = [];
  let next = 0;
  const sorted = [...messages].sort((a, b) => a.sequence_number - b.sequence_number);
  for (const m of sorted) {
    while (next < timed.length && (timed[next] as { at: string }).at < m.created_at)
      out.push(...(timed[next++] as { items: TimelineItem[] }).items);
    for (const t of byMessage.get(m.message_id) ?? []) out.push(...dividersFor(t));
    const turn = summariseTurn(m, callsByMessage.get(m.message_id) ?? [], stageName);
    out.push({ kind: 'message', key: m.message_id, message: m, turn });
  }
  while (next < timed.length) out.push(...(timed[next++] as { items: TimelineItem[] }).items);
  return out;
}
