import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/lib/redact-url.js';

describe('redactUrl', () => {
  it('hides the values of q and data.<field> filters, keeps the rest', () => {
    expect(redactUrl('/api/conversations?q=ana%40example.com&status=active&data.email=ana@x.org')).toBe(
      '/api/conversations?q=[redacted]&status=active&data.email=[redacted]',
    );
    expect(redactUrl('/api/conversations?data%2Ephone=%2B351912')).toBe(
      '/api/conversations?data%2Ephone=[redacted]',
    );
  });

  it('leaves URLs without such parameters as they are', () => {
    expect(redactUrl('/api/businesses')).toBe('/api/businesses');
    expect(redactUrl('/api/businesses?limit=1&quick=1')).toBe('/api/businesses?limit=1&quick=1');
  });
});
