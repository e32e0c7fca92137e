import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.js';
/**
 * Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Measured on the development
 * machine: see the README ("Team accounts").
 */
export const ARGON2_OPTIONS = {
    algorithm: 2, // Algorithm.Argon2id (a const enum, not importable with isolatedModules)
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
};
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;
export function hashPassword(password) {
    return hash(password, ARGON2_OPTIONS);
}
export async function verifyPassword(passwordHash, password) {
    try {
        return await verify(passwordHash, password);
    }
    catch {
        return false;
    }
}
let dummy;
/** Computes the dummy hash ahead of the first unknown e-mail (whose answer would otherwise be slower). */
export function prepareDummyPassword() {
    dummy ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
}
/**
 * Verifies against a hash of nothing anyone knows, so an unknown e-mail costs the same time as a wrong
 * password (no user enumeration through timing).
 */
export async function verifyDummyPassword(password) {
    prepareDummyPassword();
    await verifyPassword(await dummy, password);
    return false;
}
/** What is wrong with a new password, or null: length ≥ 10 and not one of the common passwords. */
export function passwordProblem(password, context = []) {
    if (password.length < MIN_PASSWORD_LENGTH)
        return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
    if (password.length > MAX_PASSWORD_LENGTH)
        return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
    const lower = password.toLowerCase();
    if (COMMON_PASSWORDS.has(lower))
        return 'is too common';
    if (/^(.)\1+$/.test(password))
        return 'is too easy to guess';
    for (const word of context) {
        if (word && word.length >= 4 && lower === word.toLowerCase())
            return 'must not be your e-mail or name';
    }
    return null;
}
//# sourceMappingURL=passwords.js.map