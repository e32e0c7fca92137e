import { describe, expect, it } from 'vitest';
import { AppError, invalid } from '../../src/errors.js';

const frames = (error: Error) =>
  (error.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));

describe('AppError', () => {
  it('answers a client error without a stack trace, keeping its message and status', () => {
    const error = invalid('content is empty', { content: 'required' });
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(400);
    expect(error.details).toEqual({ field_errors: { content: 'required' } });
    expect(error.stack).toBe('Error: content is empty');
    expect(frames(error)).toEqual([]);
    expect(frames(new AppError('RATE_LIMITED', 'slow down'))).toEqual([]);
  });

  it('keeps the stack of a server error, for the log', () => {
    expect(frames(new AppError('INTERNAL_ERROR', 'broken')).length).toBeGreaterThan(0);
    expect(frames(new AppError('SERVICE_ERROR', 'shutting down')).length).toBeGreaterThan(0);
    // A client code answered with a 5xx status is a server error too.
    expect(frames(new AppError('VALIDATION_ERROR', 'upstream', undefined, 502)).length).toBeGreaterThan(0);
  });

  it('leaves the stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    invalid('x');
    new AppError('INTERNAL_ERROR', 'y');
    expect(Error.stackTraceLimit).toBe(before);
    expect(frames(new Error('plain')).length).toBeGreaterThan(0);
  });
});
