import type { Express } from 'express';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/platform/security';
import { testConfig } from '../support/app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const signature = require('cookie-signature') as { sign(value: string, secret: string): string };

export const suffix = () => randomBytes(4).toString('hex');

/**
 * A browser signed in as `userId`: the session is written straight into the
 * session store (the login flow is the accounts feature's to test).
 */
export async function signedIn(app: Express, userId: string) {
  const sid = randomBytes(18).toString('base64url');
  const secret = testConfig().session.secret;
  const expires = new Date(Date.now() + 3_600_000);
  await mongoose.connection.collection('sessions').insertOne({
    _id: sid as never,
    expires,
    lastModified: new Date(),
    session: {
      cookie: { originalMaxAge: 3_600_000, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false },
      userId,
      createdAt: Date.now(),
    },
  });
  const agent = request.agent(app);
  agent.jar.setCookie(`${SESSION_COOKIE}=${encodeURIComponent('s:' + signature.sign(sid, secret))}; Path=/`, '127.0.0.1', '/');
  return agent;
}
