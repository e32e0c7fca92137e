import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import type { Mailer, OutgoingMail } from '../../src/lib/mailer.js';
import { parseSetCookies } from './assertions.js';
import { bearer } from './factories.js';

export const SESSION_COOKIE = 'icmp_session';
export const PASSWORD = 'correct horse battery staple';

/** The `Cookie` header value carrying the session a response set (throws when it set none). */
export function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = parseSetCookies(response).find((c) => c.name === SESSION_COOKIE && c.value);
  if (!cookie) throw new Error(`no session cookie in ${response.statusCode} ${response.body.slice(0, 200)}`);
  return `${SESSION_COOKIE}=${encodeURIComponent(cookie.value)}`;
}

/** A mailer that keeps what it was asked to send. */
export function captureMail(): Mailer & { sent: OutgoingMail[]; lastLinkTo(to: string): string } {
  const sent: OutgoingMail[] = [];
  return {
    sent,
    async send(mail) {
      sent.push(mail);
      return false;
    },
    lastLinkTo(to: string) {
      const mail = [...sent].reverse().find((m) => m.to.toLowerCase() === to.toLowerCase());
      if (!mail) throw new Error(`no mail to ${to}`);
      return mail.link;
    },
  };
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

export async function createAccount(
  app: App,
  masterKey: string,
  body: { email?: string; password?: string; name?: string; is_admin?: boolean } = {},
) {
  const email = body.email ?? uniqueEmail();
  const password = body.password ?? PASSWORD;
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/accounts',
    headers: bearer(masterKey),
    payload: { name: 'Test Person', ...body, email, password },
  });
  if (response.statusCode !== 201) throw new Error(`createAccount: ${response.statusCode} ${response.body}`);
  return { ...(response.json() as { id: string; email: string; is_admin: boolean }), password };
}

export async function signIn(app: App, email: string, password = PASSWORD, remoteAddress?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  if (response.statusCode !== 200) throw new Error(`signIn: ${response.statusCode} ${response.body}`);
  return sessionCookieOf(response);
}

export interface TeamMember {
  cookie: string;
  email: string;
  accountId: string;
  memberId: string;
}

/** Invites a new person with this role (as the master key) and accepts as a new account. */
export async function addMember(
  app: App,
  masterKey: string,
  businessId: string,
  role: string,
): Promise<TeamMember> {
  const email = uniqueEmail(role);
  const invited = await app.inject({
    method: 'POST',
    url: `/api/businesses/${businessId}/members`,
    headers: bearer(masterKey),
    payload: { email, role },
  });
  if (invited.statusCode !== 201) throw new Error(`invite: ${invited.statusCode} ${invited.body}`);
  const token = String(invited.json().invitation_url).split('/').pop();
  const accepted = await app.inject({
    method: 'POST',
    url: `/api/invitations/${token}/accept`,
    payload: { name: `A ${role}`, password: PASSWORD },
  });
  if (accepted.statusCode !== 200) throw new Error(`accept: ${accepted.statusCode} ${accepted.body}`);
  const me = accepted.json() as { user: { id: string } };
  const members = await app.inject({
    method: 'GET',
    url: `/api/businesses/${businessId}/members?per_page=100`,
    headers: bearer(masterKey),
  });
  const member = (members.json().members as Array<{ member_id: string; email: string }>).find(
    (m) => m.email === email,
  );
  if (!member) throw new Error('member not listed');
  return { cookie: sessionCookieOf(accepted), email, accountId: me.user.id, memberId: member.member_id };
}

/** Headers of a same-origin browser request carrying the session cookie. */
export const browser = (cookie: string, origin = 'http://localhost') => ({ cookie, origin });
