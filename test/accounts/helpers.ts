import type { Express } from 'express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/platform/security';
import { csrfFrom } from '../support/app';
import { PASSWORD } from '../support/factories';

export const suffix = () => randomBytes(5).toString('hex');
export const freshEmail = (who = 'user') => `${who}-${suffix()}@example.test`;
/** A random client address: rate limits count per IP, so each test gets its own (trust proxy is loopback). */
export const freshIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

export type Agent = ReturnType<typeof request.agent>;

/** A browser with its own client IP. */
export function client(app: Express, ip = freshIp()): Agent {
  return request.agent(app).set('X-Forwarded-For', ip) as unknown as Agent;
}

/** Logs a browser in through the real form. */
export async function logIn(agent: Agent, email: string, password = PASSWORD): Promise<void> {
  const page = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password })
    .expect(303);
}

/** A CSRF token of the agent's session, read from a page with a form. */
export async function tokenOf(agent: Agent, path = '/login'): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfFrom(page.text);
}

/** The session id inside the session cookie (`s:<id>.<signature>`), if any. */
export function sessionIdOf(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  const c = cookies.find((x) => x.startsWith(`${SESSION_COOKIE}=`));
  if (!c) return undefined;
  const raw = decodeURIComponent(c.split(';')[0]!.slice(SESSION_COOKIE.length + 1));
  return raw.startsWith('s:') ? raw.slice(2).split('.')[0] : undefined;
}
