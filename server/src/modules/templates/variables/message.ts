import type { VariableProvider } from './variable-env.js';

/** The customer's new message; missing (not empty) when the caller has none, as in a bare preview. */
const messageContent: VariableProvider = (env) => env.vc.messageContent;

export const messageVariables: Record<string, VariableProvider> = {
  message_content: messageContent,
  message: messageContent,
  user_message: messageContent,
};
