/** The server's rule (server/src/lib/passwords.ts): at least 10 characters, not a common password. */
export const MIN_PASSWORD_LENGTH = 10;

/** Field errors for a new password and its repetition, checked before asking the server. */
export function newPasswordErrors(password: string, repeat: string): Record<string, string> {
  if (password.length < MIN_PASSWORD_LENGTH)
    return { new_password: `At least ${MIN_PASSWORD_LENGTH} characters` };
  if (password !== repeat) return { repeat: 'Does not match' };
  return {};
}
