/** The server's rule (server/src/lib/passwords.ts): at least 10 characters, not a common password. */
export const MIN_PASSWORD_LENGTH = 10;
