/**
 * Every server error comes as `{error: {code, message, details: {field_errors}}}` (api.md, "Errors").
 * ApiError carries it to the UI: `message` for alerts, `fieldErrors` for the inputs they belong to.
 */
export type ApiErrorCode =
  | 'VALIDATION_ERROR'
  | 'AUTHENTICATION_ERROR'
  | 'AUTHORIZATION_ERROR'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SERVICE_ERROR'
  | 'INTERNAL_ERROR'
  | 'NETWORK_ERROR'
  | (string & {});

export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    details?: { field_errors?: Record<string, string> } & Record<string, unknown>;
  };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly fieldErrors: Record<string, string>;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    const fe = details.field_errors;
    this.fieldErrors =
      fe && typeof fe === 'object' ? normaliseFieldErrors(fe as Record<string, unknown>) : {};
  }
}

function normaliseFieldErrors(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    // Accept "/body/email", "body.email" and "email" alike: forms know only the field name.
    const field = key.replace(/^\/?(body|query|params)[./]/, '').replace(/^\//, '');
    out[field] = Array.isArray(value) ? value.join('; ') : String(value);
  }
  return out;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'You are not signed in, or your key is no longer valid.',
  403: 'This key may not do that.',
  404: 'Not found. It may have been deleted.',
  409: 'That conflicts with existing data.',
  413: 'That is too large.',
  429: 'Too many requests. Wait a moment and try again.',
  502: 'A service the server depends on is unavailable. Try again shortly.',
  503: 'The server is temporarily unavailable. Try again shortly.',
};

function isEnvelope(body: unknown): body is ErrorEnvelope {
  return (
    typeof body === 'object' &&
    body !== null &&
    'error' in body &&
    typeof (body as ErrorEnvelope).error === 'object' &&
    (body as ErrorEnvelope).error !== null
  );
}

/** Builds an ApiError from a non-2xx response and its (already parsed, possibly absent) body. */
export function toApiError(status: number, body: unknown, retryAfter?: string | null): ApiError {
  if (isEnvelope(body)) {
    const { code, message, details } = body.error;
    let text = message || FALLBACK_MESSAGES[status] || `Request failed (${status}).`;
    if (status === 429 && retryAfter) text = `${text} (retry in ${retryAfter} s)`;
    return new ApiError(status, code ?? 'INTERNAL_ERROR', text, details ?? {});
  }
  const code = status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
  return new ApiError(status, code, FALLBACK_MESSAGES[status] ?? `Request failed (${status}).`);
}

export function networkError(cause: unknown): ApiError {
  const e = new ApiError(0, 'NETWORK_ERROR', 'Cannot reach the server. Check your connection and try again.');
  (e as Error).cause = cause;
  return e;
}

/** A readable one-liner for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}
