/** The floor's tables behind one interface (floor-server.ts): bare, or the product's (floor-product-schema.ts). */
import type pg from 'pg';

export interface FloorCall {
  step: string;
  system: string;
  prompt: string;
  text: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
}

/** What the floor's turn asks of its tables: statements 1–4. */
export interface FloorStore {
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  inbound(
    userId: string,
    inboundId: string,
    content: string,
  ): Promise<{ conversationId: string; sequence: number }>;
  lease(conversationId: string): Promise<{ stage: string; collected: Record<string, unknown> } | undefined>;
  history(conversationId: string, sequence: number): Promise<Array<{ sender: string; content: string }>>;
  persist(turn: {
    conversationId: string;
    inboundId: string;
    sequence: number;
    reply: string;
    previousStage: string;
    stage: string;
    facts: Record<string, unknown>;
    calls: FloorCall[];
    model: string;
  }): Promise<void>;
}

/** Statement 3, the history the prompts quote: `text` selects sender_type and content, newest first. */
export async function readHistory(db: pg.Pool, text: string, conversationId: string, sequence: number) {
  const { rows } = await db.query({ name: 'floor_history', text }, [conversationId, sequence]);
  return (rows as Array<{ sender_type: string; content: string }>).map((row) => ({
    sender: row.sender_type,
    content: row.content,
  }));
}
