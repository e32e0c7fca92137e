export type VariableCategory =
  | 'message'
  | 'business'
  | 'user'
  | 'conversation'
  | 'stages'
  | 'history'
  | 'data'
  | 'time';

export interface BuiltInVariable {
  readonly name: string;
  readonly description: string;
  readonly category: VariableCategory;
  readonly example: string;
}

const MESSAGE_DESCRIPTION = "The customer's new message";

export const BUILT_IN_VARIABLES: readonly BuiltInVariable[] = Object.freeze([
  {
    name: 'message_content',
    category: 'message',
    description: MESSAGE_DESCRIPTION,
    example: 'Where is my order #12345?',
  },
  {
    name: 'message',
    category: 'message',
    description: `${MESSAGE_DESCRIPTION} (alias of message_content)`,
    example: 'Where is my order #12345?',
  },
  {
    name: 'user_message',
    category: 'message',
    description: `${MESSAGE_DESCRIPTION} (alias of message_content)`,
    example: 'Where is my order #12345?',
  },
  {
    name: 'business_id',
    category: 'business',
    description: "The business's id",
    example: '3f2b8c1e-5d4a-4e7b-9c1d-2a6f8e0b7c3d',
  },
  { name: 'business_name', category: 'business', description: "The business's name", example: 'Acme Bikes' },
  {
    name: 'business_description',
    category: 'business',
    description: "The business's description",
    example: 'Bicycle shop and repairs in Lyon',
  },
  {
    name: 'business_info',
    category: 'business',
    description: 'Multi-line block with the business name, description, address, phone and website',
    example: 'Name: Acme Bikes\nDescription: Bicycle shop and repairs in Lyon\nPhone: +33 4 00 00 00 00',
  },
  {
    name: 'user_id',
    category: 'user',
    description: "The customer's id",
    example: '9a7c4e2b-1f3d-4b6a-8e5c-0d2f4a6b8c1e',
  },
  { name: 'user_name', category: 'user', description: "The customer's name when known", example: 'Jane Doe' },
  {
    name: 'conversation_id',
    category: 'conversation',
    description: 'The current conversation id',
    example: '5e1d3c7a-2b4f-4a8e-9d6c-1f3b5a7c9e2d',
  },
  {
    name: 'stage_id',
    category: 'stages',
    description: 'The current stage id',
    example: '7b3e5a1c-9d2f-4c6b-8a4e-3f1d5b7a9c2e',
  },
  {
    name: 'current_stage',
    category: 'stages',
    description: 'The name of the current stage',
    example: 'Order status',
  },
  {
    name: 'current_stage_description',
    category: 'stages',
    description: 'The description of the current stage',
    example: 'Customer asks where an order is',
  },
  {
    name: 'previous_stage',
    category: 'stages',
    description: 'The name of the stage before the current one',
    example: 'Greeting',
  },
  {
    name: 'stage_list',
    category: 'stages',
    description:
      'The names of the stages the conversation may be in next, comma-separated: the current stage and its allowed next stages (every stage when it allows any)',
    example: 'Greeting, Order status, Complaint',
  },
  {
    name: 'available_stages',
    category: 'stages',
    description:
      'The stages the conversation may be in next (the current one and its allowed next stages; every stage when it allows any) as "name: description" lines',
    example: 'Greeting: Customer says hello\nOrder status: Customer asks where an order is',
  },
  {
    name: 'agent_stages',
    category: 'stages',
    description: "The stages of the current stage's agent, as 'name: description' lines",
    example: 'Greeting: Welcomes the customer\nOrder status: Answers where an order is',
  },
  {
    name: 'conversation_history',
    category: 'history',
    description: 'Recent messages, oldest first, with speaker labels',
    example: 'User: Hi\nAssistant: Hello! How can I help?',
  },
  {
    name: 'last_10_messages',
    category: 'history',
    description: 'The last 10 messages as JSON',
    example: '[{"sender": "user", "content": "Hi", "created_at": "2026-05-01T12:00:00.000Z"}]',
  },
  {
    name: 'user_messages',
    category: 'history',
    description: "The customer's own recent messages, oldest first",
    example: 'Hi\nWhere is my order?',
  },
  {
    name: 'all_conversation_history',
    category: 'history',
    description: "All of this customer's conversations with this business",
    example: 'User: Hi\nAssistant: Hello!',
  },
  {
    name: 'extracted_data',
    category: 'data',
    description: 'JSON of the facts collected in this conversation (each key is also a variable)',
    example: '{"email": "jane@example.com"}',
  },
  {
    name: 'missing_fields',
    category: 'data',
    description:
      "The current stage's required fields not collected yet, one '- label: description' line each (empty when the stage is complete)",
    example: '- E-mail: Where we send the confirmation\n- Visit date',
  },
  { name: 'current_time', category: 'time', description: 'The current time (HH:MM, UTC)', example: '14:05' },
  {
    name: 'current_date',
    category: 'time',
    description: 'The current date (YYYY-MM-DD, UTC)',
    example: '2026-03-12',
  },
  {
    name: 'timestamp',
    category: 'time',
    description: 'The current instant, ISO 8601',
    example: '2026-03-12T14:05:00.000Z',
  },
] satisfies BuiltInVariable[]);

export const BUILT_IN_VARIABLE_NAMES: ReadonlySet<string> = new Set(BUILT_IN_VARIABLES.map((v) => v.name));
