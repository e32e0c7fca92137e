import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, invitations } from '../../src/db/schema.js';
import { hashSecret } from '../../src/lib/keys.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import {
  addMember,
  browser,
  captureMail,
  createAccount,
  PASSWORD,
  sessionCookieOf,
  signIn,
  uniqueEmail,
} from '../helpers/team.js';

const mail = captureMail();
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ PUBLIC_URL: 'https://icmp.example' }, { mailer: mail });
});
afterAll(async () => t.close());

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string> = {},
  payload?: object,
) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function invite(businessId: string, headers: Record<string, string>, email: string, role = 'editor') {
  const response = await inject('POST', `/api/businesses/${businessId}/members`, headers, { email, role });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json();
  return { ...body, token: String(body.invitation_url).split('/').pop() as string };
}

describe('invitations', () => {
  it('an owner invites; the link names business and role; accepting makes an account and a session', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const owner = await addMember(t.app, t.masterKey, business.business_id, 'owner');
    const email = uniqueEmail('editor');
    const invitation = await invite(business.business_id, browser(owner.cookie), email);
    expect(invitation.invitation_url).toMatch(/^https:\/\/icmp\.example\/invitations\/[\w-]+$/);
    expect(invitation).toMatchObject({ email, role: 'editor', mailed: false });
    expect(mail.lastLinkTo(email)).toBe(invitation.invitation_url);
    // Only the token's hash is stored.
    const [row] = await t.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.invitationId, invitation.invitation_id));
    expect(row?.tokenHash).toBe(hashSecret(invitation.token));

    const info = await inject('GET', `/api/invitations/${invitation.token}`);
    expect(info.json()).toMatchObject({
      business_id: business.business_id,
      business_name: business.business_name,
      invited_by: 'A owner',
      email,
      role: 'editor',
    });
    expect(
      (
        await inject('GET', `/api/businesses/${business.business_id}/invitations`, browser(owner.cookie))
      ).json().total,
    ).toBe(1);

    expectFieldErrors(
      await inject('POST', `/api/invitations/${invitation.token}/accept`, {}, { name: 'Ed' }),
      ['password'],
    );
    expectFieldErrors(
      await inject(
        'POST',
        `/api/invitations/${invitation.token}/accept`,
        {},
        { name: 'Ed', password: 'short' },
      ),
      ['password'],
    );
    const accepted = await inject(
      'POST',
      `/api/invitations/${invitation.token}/accept`,
      {},
      { name: 'Ed', password: PASSWORD },
    );
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({
      role: 'member',
      user: { email, name: 'Ed', is_admin: false },
      memberships: [{ business_id: business.business_id, role: 'editor' }],
    });
    const cookie = sessionCookieOf(accepted);
    expect(
      (await inject('GET', `/api/stages?business_id=${business.business_id}`, { cookie })).statusCode,
    ).toBe(200);

    // Single use.
    expectError(await inject('GET', `/api/invitations/${invitation.token}`), 404, 'NOT_FOUND');
    expectError(
      await inject(
        'POST',
        `/api/invitations/${invitation.token}/accept`,
        {},
        { name: 'Again', password: PASSWORD },
      ),
      404,
      'NOT_FOUND',
    );
    expect(
      (
        await inject('GET', `/api/businesses/${business.business_id}/invitations`, browser(owner.cookie))
      ).json().total,
    ).toBe(0);
    // Recorded in the audit log.
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.businessId, business.business_id));
    expect(audit.map((a) => `${a.action} ${a.entityType}`)).toEqual(
      expect.arrayContaining(['create invitation', 'create member']),
    );
  });

  it('an existing account accepts while signed in (a fresh session); without a session it is told to sign in', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const existing = await createAccount(t.app, t.masterKey);
    const invitation = await invite(business.business_id, bearer(t.masterKey), existing.email, 'agent');
    expectError(
      await inject(
        'POST',
        `/api/invitations/${invitation.token}/accept`,
        {},
        { name: 'X', password: PASSWORD },
      ),
      409,
      'CONFLICT',
    );
    const session = await signIn(t.app, existing.email);
    const accepted = await inject(
      'POST',
      `/api/invitations/${invitation.token}/accept`,
      browser(session),
      {},
    );
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().memberships).toEqual([
      { business_id: business.business_id, business_name: business.business_name, role: 'agent' },
    ]);
    const rotated = sessionCookieOf(accepted);
    expect(rotated).not.toBe(session);
    expectError(await inject('GET', '/api/auth/me', { cookie: session }), 401, 'AUTHENTICATION_ERROR');
  });

  it('a revoked or expired invitation no longer works', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const revoked = await invite(business.business_id, bearer(t.masterKey), uniqueEmail());
    expect(
      (
        await inject(
          'DELETE',
          `/api/businesses/${business.business_id}/invitations/${revoked.invitation_id}`,
          bearer(t.masterKey),
        )
      ).statusCode,
    ).toBe(204);
    expectError(await inject('GET', `/api/invitations/${revoked.token}`), 404, 'NOT_FOUND');
    expectError(
      await inject('POST', `/api/invitations/${revoked.token}/accept`, {}, { name: 'R', password: PASSWORD }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await inject(
        'DELETE',
        `/api/businesses/${business.business_id}/invitations/${revoked.invitation_id}`,
        bearer(t.masterKey),
      ),
      404,
      'NOT_FOUND',
    );

    const expired = await invite(business.business_id, bearer(t.masterKey), uniqueEmail());
    const [row] = await t.database.db
      .select({ expiresAt: invitations.expiresAt, createdAt: invitations.createdAt })
      .from(invitations)
      .where(eq(invitations.invitationId, expired.invitation_id));
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBeGreaterThan(
      7 * 24 * 3_600_000 - 60_000,
    );
    await t.database.db
      .update(invitations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(invitations.invitationId, expired.invitation_id));
    expectError(await inject('GET', `/api/invitations/${expired.token}`), 404, 'NOT_FOUND');
    expectError(
      await inject('POST', `/api/invitations/${expired.token}/accept`, {}, { name: 'E', password: PASSWORD }),
      404,
      'NOT_FOUND',
    );
  });

  it('validates the invitation body', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/members`;
    expectFieldErrors(await inject('POST', url, bearer(t.masterKey), { email: 'nope', role: 'editor' }), [
      'email',
    ]);
    expectFieldErrors(
      await inject('POST', url, bearer(t.masterKey), { email: uniqueEmail(), role: 'king' }),
      ['role'],
    );
  });
});

describe('members and the last owner', () => {
  it('lists, changes roles and removes; the last owner can be neither demoted nor removed (409)', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const owner = await addMember(t.app, t.masterKey, business.business_id, 'owner');
    const viewer = await addMember(t.app, t.masterKey, business.business_id, 'viewer');
    const base = `/api/businesses/${business.business_id}/members`;
    const list = await inject('GET', base, browser(owner.cookie));
    expect(list.json().total).toBe(2);
    expect(
      list
        .json()
        .members.map((m: { role: string }) => m.role)
        .sort(),
    ).toEqual(['owner', 'viewer']);

    expectError(
      await inject('PATCH', `${base}/${owner.memberId}`, browser(owner.cookie), { role: 'editor' }),
      409,
      'CONFLICT',
    );
    expectError(await inject('DELETE', `${base}/${owner.memberId}`, browser(owner.cookie)), 409, 'CONFLICT');

    // The viewer cannot manage members, and loses access at once when removed.
    expectError(await inject('GET', base, browser(viewer.cookie)), 403, 'AUTHORIZATION_ERROR');
    const promoted = await inject('PATCH', `${base}/${viewer.memberId}`, browser(owner.cookie), {
      role: 'owner',
    });
    expect(promoted.json()).toMatchObject({ member_id: viewer.memberId, role: 'owner' });
    // Two owners: one may step down now.
    const demoted = await inject('PATCH', `${base}/${owner.memberId}`, browser(viewer.cookie), {
      role: 'viewer',
    });
    expect(demoted.statusCode).toBe(200);
    expectError(await inject('GET', base, browser(owner.cookie)), 403, 'AUTHORIZATION_ERROR');
    expect((await inject('DELETE', `${base}/${owner.memberId}`, browser(viewer.cookie))).statusCode).toBe(
      204,
    );
    expectError(
      await inject('GET', `/api/businesses/${business.business_id}`, { cookie: owner.cookie }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(
      await inject('DELETE', `${base}/${owner.memberId}`, browser(viewer.cookie)),
      404,
      'NOT_FOUND',
    );
  });

  it('another business’s owner cannot see or change these members', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const otherOwner = await addMember(t.app, t.masterKey, other.business_id, 'owner');
    const member = await addMember(t.app, t.masterKey, business.business_id, 'editor');
    const base = `/api/businesses/${business.business_id}/members`;
    expectError(await inject('GET', base, browser(otherOwner.cookie)), 403, 'AUTHORIZATION_ERROR');
    expectError(
      await inject('PATCH', `${base}/${member.memberId}`, browser(otherOwner.cookie), { role: 'owner' }),
      403,
      'AUTHORIZATION_ERROR',
    );
    // Its own business's URL with a foreign member id is a 404.
    expectError(
      await inject(
        'DELETE',
        `/api/businesses/${other.business_id}/members/${member.memberId}`,
        browser(otherOwner.cookie),
      ),
      404,
      'NOT_FOUND',
    );
  });

  it('an account in several businesses reaches each with its role there', async () => {
    const first = await createBusiness(t.app, t.masterKey);
    const second = await createBusiness(t.app, t.masterKey);
    const person = await addMember(t.app, t.masterKey, first.business_id, 'editor');
    const invitation = await invite(second.business_id, bearer(t.masterKey), person.email, 'viewer');
    const accepted = await inject(
      'POST',
      `/api/invitations/${invitation.token}/accept`,
      browser(person.cookie),
      {},
    );
    const cookie = sessionCookieOf(accepted);
    expect(accepted.json().memberships).toHaveLength(2);
    // business_id is needed with several memberships.
    expectFieldErrors(await inject('GET', '/api/stages', { cookie }), ['business_id']);
    const agentIn = (businessId: string) =>
      inject('POST', '/api/agents', browser(cookie), {
        business_id: businessId,
        agent_name: `A ${Math.random()}`,
      });
    expect((await agentIn(first.business_id)).statusCode).toBe(201);
    expectError(await agentIn(second.business_id), 403, 'AUTHORIZATION_ERROR');
    const secondStage = second.first_stage_id;
    expect((await inject('GET', `/api/stages/${secondStage}`, { cookie })).statusCode).toBe(200);
    expectError(
      await inject('PATCH', `/api/stages/${secondStage}`, browser(cookie), { stage_description: 'x' }),
      403,
      'AUTHORIZATION_ERROR',
    );
    // A third business's resource stays hidden.
    const third = await createBusiness(t.app, t.masterKey);
    expectError(await inject('GET', `/api/stages/${third.first_stage_id}`, { cookie }), 404, 'NOT_FOUND');
  });
});
