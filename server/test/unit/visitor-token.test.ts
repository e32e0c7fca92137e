import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVisitorTokens, isVisitorToken } from '../../src/modules/widget/visitor-token.js';

describe('visitor tokens', () => {
  const tokens = createVisitorTokens(randomBytes(32));
  const businessId = randomUUID();

  it('carry the business and a fresh visitor id, and verify', () => {
    const a = tokens.issue(businessId);
    const b = tokens.issue(businessId);
    expect(isVisitorToken(a)).toBe(true);
    expect(a).not.toBe(b);
    const identity = tokens.verify(a);
    expect(identity?.businessId).toBe(businessId);
    expect(identity?.visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tokens.verify(b)?.visitorId).not.toBe(identity?.visitorId);
  });

  it('refuse any change: visitor, business, signature (every character), shape', () => {
    const token = tokens.issue(businessId);
    const [visitorId, , signature] = token.slice(4).split('.');
    const otherVisitor = tokens.verify(tokens.issue(businessId))?.visitorId;
    expect(tokens.verify(`wvt_${otherVisitor}.${businessId}.${signature}`)).toBeNull();
    expect(tokens.verify(`wvt_${visitorId}.${randomUUID()}.${signature}`)).toBeNull();
    for (let i = 4; i < token.length; i++) {
      const c = token[i] === 'A' ? 'B' : 'A';
      const changed = `${token.slice(0, i)}${c}${token.slice(i + 1)}`;
      if (changed !== token) expect(tokens.verify(changed), `changed at ${i}`).toBeNull();
    }
    for (const bad of [
      undefined,
      '',
      'wvt_',
      `${token}.x`,
      token.slice(0, -1),
      `icmp_${token.slice(4)}`,
      `${token}A`,
    ]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });

  it('do not verify under another server key', () => {
    const other = createVisitorTokens(randomBytes(32));
    expect(other.verify(tokens.issue(businessId))).toBeNull();
  });
});
