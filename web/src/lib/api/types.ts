/**
 * Hand-written response types matching api.md. When `schema.d.ts` is generated, replace these with
 * `components['schemas'][...]` aliases (one line each) — the feature api functions import only from here.
 */
export type Id = string;

export interface ListMeta {
  total: number;
  page: number;
  per_page: number;
}
export type ListOf<K extends string, T> = ListMeta & { [P in K]: T[] };

export interface Me {
  role: 'admin' | 'business';
  business_id?: Id;
  business_name?: string;
}

export interface RuntimeInfo {
  llm_mode: 'offline' | 'openai' | 'anthropic' | (string & {});
  model: string | null;
  version?: string;
}

export interface Business {
  business_id: Id;
  business_name: string;
  business_description?: string | null;
  address?: string | null;
  phone_number?: string | null;
  website?: string | null;
  owner_id?: string | null;
  first_stage_id?: Id | null;
  settings?: BusinessSettings;
  widget_key?: string | null;
  whatsapp_phone_number_id?: string | null;
  messenger_page_id?: string | null;
  created_at?: string;
  updated_at?: string;
  [flag: `has_${string}`]: boolean | undefined;
}
export interface BusinessSettings {
  fallback_reply?: string;
  llm_model?: string;
  llm_provider?: 'openai' | 'anthropic';
  llm_temperature?: number;
  history_limit?: number;
}

export interface BusinessWithKey extends Business {
  api_key: string;
}

export interface Agent {
  agent_id: Id;
  business_id: Id;
  agent_name: string;
  agent_type?: string;
  created_at?: string;
}

export const TEMPLATE_TYPES = [
  'stage_selection',
  'data_extraction',
  'response_generation',
  'default_stage_selection',
  'default_data_extraction',
  'default_response_generation',
] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];
export type TemplateRole = 'stage_selection' | 'data_extraction' | 'response_generation';

export interface Template {
  template_id: Id;
  business_id: Id;
  template_name: string;
  template_type: TemplateType;
  content: string;
  system_prompt?: string | null;
  is_default: boolean;
  version?: number;
  created_at?: string;
  updated_at?: string;
  warnings?: string[];
}

export interface TemplateVersion {
  version: number;
  content: string;
  system_prompt?: string | null;
  template_name: string;
  created_at: string;
}

export interface TemplateVariable {
  name: string;
  description: string;
  category: string;
  example: string;
}

export interface RenderResult {
  rendered_content: string;
  rendered_system_prompt?: string | null;
  variables_used: string[];
  missing_variables: string[];
}

export interface TemplateTestResult {
  rendered_prompt?: string;
  rendered_content?: string;
  rendered_system_prompt?: string | null;
  raw_response?: string;
  response?: string;
  parsed_response?: unknown;
  parsed?: unknown;
  latency_ms?: number;
  tokens_in?: number;
  tokens_out?: number;
  model?: string | null;
  provider?: string | null;
  cost_usd?: number | null;
  fallback?: boolean;
  error?: string | null;
}

export interface Stage {
  stage_id: Id;
  business_id: Id;
  agent_id?: Id | null;
  stage_name: string;
  stage_description?: string | null;
  stage_type?: string | null;
  stage_selection_template_id: Id;
  data_extraction_template_id: Id;
  response_generation_template_id: Id;
  stage_selection_template_name?: string | null;
  data_extraction_template_name?: string | null;
  response_generation_template_name?: string | null;
  /** Reply the offline engine gives in this stage. */
  fallback_reply?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface StageTransitionCount {
  from_stage_id: Id | null;
  to_stage_id: Id | null;
  count: number;
}

export interface EndUser {
  user_id: Id;
  business_id: Id;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface AiControl {
  is_stopped: boolean;
  stop_time?: string | null;
  expiration_time?: string | null;
}

export interface Conversation {
  conversation_id: Id;
  business_id: Id;
  user_id: Id;
  user_name?: string | null;
  agent_id?: Id | null;
  stage_id?: Id | null;
  stage_name?: string | null;
  session_id?: string | null;
  status: 'active' | 'closed' | (string & {});
  start_time?: string;
  last_updated?: string;
  message_count?: number;
  last_message?: string | { message_content: string; sender_type?: string; created_at?: string } | null;
  collected_data?: Record<string, unknown>;
  ai_control?: AiControl;
  /** List items carry only this flag; the detail carries `ai_control`. */
  ai_stopped?: boolean;
  channel?: string | null;
}

export type SenderType = 'user' | 'assistant' | 'agent' | 'system';

export interface Message {
  message_id: Id;
  conversation_id?: Id;
  sender_type: SenderType | (string & {});
  message_content: string;
  sequence_number: number;
  stage_id?: Id | null;
  created_at: string;
  extracted_data?: Record<string, unknown> | null;
  delivery_status?: string | null;
  /** Processing / delivery status (pending, processed, sent, delivered, read, failed…). */
  status?: string | null;
}

export interface StageTransition {
  from_stage_id: Id | null;
  to_stage_id: Id;
  message_id?: Id | null;
  created_at: string;
}

export interface ConversationDetail {
  conversation: Conversation;
  collected_data?: Record<string, unknown>;
  messages: Message[];
  stage_transitions: StageTransition[];
}

export interface LlmCall {
  llm_call_id: Id;
  message_id?: Id | null;
  call_type: string;
  model?: string | null;
  provider?: string | null;
  system_prompt?: string | null;
  prompt: string;
  response?: string | null;
  tokens_in?: number | null;
  tokens_out?: number | null;
  latency_ms?: number | null;
  cost_usd?: number | null;
  status?: string;
  error?: string | null;
  created_at: string;
}

export interface ProcessingStep {
  step: string;
  template_id?: Id | null;
  template_name?: string | null;
  prompt?: string | null;
  system_prompt?: string | null;
  response?: string | null;
  latency_ms?: number | null;
  skipped?: boolean;
  model?: string | null;
  tokens_in?: number | null;
  tokens_out?: number | null;
  cost_usd?: number | null;
  status?: string;
  engine?: 'llm' | 'offline';
  provider?: string | null;
  reused?: boolean;
  missing_variables?: string[];
  error?: string | null;
}

export interface MessageResponse {
  success: boolean;
  response: string | null;
  conversation_id: Id;
  user_id?: Id;
  message_id: Id;
  response_id?: Id;
  stage_id?: Id;
  stage_name?: string;
  previous_stage_id?: Id | null;
  extracted_data?: Record<string, unknown>;
  fallback?: boolean;
  engine?: 'llm' | 'offline';
  ai_stopped?: boolean;
  duplicate?: boolean;
  processing_steps?: ProcessingStep[];
}

/** GET /api/analytics/overview, straight from the generated OpenAPI types. */
export type AnalyticsOverview =
  import('./schema').paths['/api/analytics/overview']['get']['responses'][200]['content']['application/json'];
export type AnalyticsDay = AnalyticsOverview['per_day'][number];
export type AnalyticsFunnelStage = AnalyticsOverview['stage_funnel'][number];
export type AnalyticsLlmStep = AnalyticsOverview['llm']['per_step'][number];
export type AnalyticsFillRate = AnalyticsOverview['extraction']['fill_rates'][number];
