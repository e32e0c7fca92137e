/** The request and per-attempt answer shared by the LLM client and its transports. */
export type LlmOutput =
  | { kind: 'text' }
  | { kind: 'choice'; options: string[] }
  /** `schema`: a strict JSON schema of an object (typed extraction); without it, any JSON object. */
  | { kind: 'json'; schema?: Record<string, unknown> | undefined };

export interface LlmRequest {
  system: string;
  prompt: string;
  output: LlmOutput;
  /** A business's model override. */
  model?: string | undefined;
  provider?: 'openai' | 'anthropic' | undefined;
  temperature?: number | undefined;
  /**
   * The turn's deadline (epoch ms): every attempt gets min(LLM_TIMEOUT_MS, the time left), and no
   * attempt or retry starts after it.
   */
  deadline?: number | undefined;
  /** Streaming: called with each piece of text as it arrives. */
  onToken?: ((text: string) => void) | undefined;
  /**
   * `system` and `prompt` as JSON string literals, when the caller has quoted them already (the
   * pipeline quotes a step's prompts once for the request, the call log and the answer).
   */
  quoted?: { system: string; prompt: string } | undefined;
}

export interface LlmAttempt {
  text: string;
  tokensIn: number;
  tokensOut: number;
}
