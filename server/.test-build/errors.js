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
};
export class AppError extends Error {
    code;
    details;
    statusCode;
    constructor(code, message, details, statusCode) {
        super(message);
        this.code = code;
        this.details = details;
        this.statusCode = statusCode ?? ERROR_STATUS[code];
    }
}
export const notFound = (what) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message, details) => new AppError('CONFLICT', message, details);
export const invalid = (message, fieldErrors) => new AppError('VALIDATION_ERROR', message, fieldErrors ? { field_errors: fieldErrors } : undefined);
export const forbidden = (message = 'This credential cannot access that business') => new AppError('AUTHORIZATION_ERROR', message);
/** A per-business quota (stages, templates) is used up; the operator sets the limit. */
export const quotaReached = (what, limit) => new AppError('CONFLICT', `This business already has the most ${what} allowed (${limit})`, {
    quota: what,
    limit,
});
//# sourceMappingURL=errors.js.map