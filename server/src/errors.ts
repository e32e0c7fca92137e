export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  AUTHENTICATION_ERROR: 401,
  AUTHORIZATION_ERROR: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_ERROR: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, statusCode?: number) {
    const status = statusCode ?? ERROR_STATUS[code];
    // A client's mistake is answered, not debugged: capturing the stack (async frames included) was
    // about a tenth of a refused request's CPU. Server errors keep theirs for the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.details = details;
    this.statusCode = status;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('CONFLICT', message, details);
export const invalid = (message: string, fieldErrors?: Record<string, string>) =>
  new AppError('VALIDATION_ERROR', message, fieldErrors ? { field_errors: fieldErrors } : undefined);
export const forbidden = (message = 'This credential cannot access that business') =>
  new AppError('AUTHORIZATION_ERROR', message);

/** A per-business quota (stages, templates) is used up; the operator sets the limit. */
export const quotaReached = (what: string, limit: number) =>
  new AppError('CONFLICT', `This business already has the most ${what} allowed (${limit})`, {
    quota: what,
    limit,
  });
