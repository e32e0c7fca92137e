/** The starting point every new business gets: real prompts a business can edit from day one. */

export const TEMPLATE_ROLES = ['stage_selection', 'data_extraction', 'response_generation'] as const;
export type TemplateRole = (typeof TEMPLATE_ROLES)[number];

export interface DefaultTemplate {
  templateName: string;
  systemPrompt: string;
  content: string;
}

export const DEFAULT_TEMPLATES: Record<TemplateRole, DefaultTemplate> = {
  stage_selection: {
    templateName: 'Default stage selection',
    systemPrompt:
      'You route customer messages for {{business_name}} to the conversation stage that should handle them. ' +
      'Answer with the exact name of one stage from the list and nothing else.',
    content: `Business: {{business_name}}
{{business_description}}

Available stages (name: description):
{{available_stages}}

The conversation is currently in the stage "{{current_stage}}" ({{current_stage_description}}).

Recent conversation, oldest first:
{{conversation_history}}

New customer message:
"""{{message_content}}"""

Which stage should handle this message? Stay in "{{current_stage}}" unless the message clearly belongs to another stage.
Answer with the stage name only.`,
  },
  data_extraction: {
    templateName: 'Default data extraction',
    systemPrompt:
      'You extract structured facts from customer messages. Reply with one JSON object and nothing else. ' +
      'Use only facts the customer actually stated; never guess.',
    content: `Extract the facts the customer states in the message below, for the "{{current_stage}}" stage of a conversation with {{business_name}}.

Facts already known about this customer:
{{extracted_data}}

Recent conversation, oldest first:
{{conversation_history}}

Customer message:
"""{{message_content}}"""

Return a JSON object using these keys when the message contains them: "name", "email", "phone", "order_number", "date", "time", "product", "quantity", "address", "request".
Omit keys the message does not mention. Example: {"name": "Ana Silva", "email": "ana@example.com"}. If there is nothing to extract, return {}.`,
  },
  response_generation: {
    templateName: 'Default response generation',
    systemPrompt:
      'You are the friendly, concise customer assistant of {{business_name}}. Answer in the language the customer ' +
      'writes in. Never invent prices, policies or availability you were not given; offer to connect the customer ' +
      'with a person when you cannot help.',
    content: `About the business:
{{business_info}}

Current stage: {{current_stage}} ({{current_stage_description}})

What we know about the customer ({{user_name}}):
{{extracted_data}}

Conversation so far, oldest first:
{{conversation_history}}

Customer's new message:
"""{{message_content}}"""

Write the assistant's next reply: helpful, at most three short sentences, moving the conversation forward for this stage. If information the stage needs is missing, ask for one thing at a time.`,
  },
};

export const DEFAULT_STAGE = {
  stageName: 'General',
  stageDescription: 'Greets the customer and answers general questions about the business.',
  stageType: 'conversation',
};

export const DEFAULT_FALLBACK_REPLY =
  "Thanks for your message! We've received it and will get back to you shortly.";
