import { z } from 'zod';

/** Demo ids are derived from sha256 (see demo-gateway.ts): nothing else reaches a query. */
export const DemoSessionParams = z.object({ sessionId: z.string().regex(/^cs_demo_[a-f0-9]{24}$/) }).strict();
export const DemoAccountParams = z.object({ accountId: z.string().regex(/^acct_demo_[a-f0-9]{24}$/) }).strict();
export const DemoLinkQuery = z.object({ t: z.string().regex(/^[a-f0-9]{32}$/) });
export const DemoLinkBody = z.object({ t: z.string().regex(/^[a-f0-9]{32}$/) });
