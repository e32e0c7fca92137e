/** The customer's new message; missing (not empty) when the caller has none, as in a bare preview. */
const messageContent = (env) => env.vc.messageContent;
export const messageVariables = {
    message_content: messageContent,
    message: messageContent,
    user_message: messageContent,
};
//# sourceMappingURL=message.js.map