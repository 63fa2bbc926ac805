import type { WebhookEvent } from './stripe-webhooks';

export type StripeEventHook = (event: WebhookEvent) => Promise<void> | void;

const hooks = new Map<string, StripeEventHook[]>();

/**
 * Lets another feature act on a Stripe event type (e.g. the payouts admin on
 * `charge.refunded`, `refund.updated`, `charge.dispute.created`/`closed`).
 * Hooks run after our own handling, for every delivery that is processed; they
 * must be idempotent (a failed event is delivered again). A hook that throws
 * makes the webhook answer 500, so Stripe retries. Returns an unsubscribe.
 */
export function onStripeEvent(type: string, hook: StripeEventHook): () => void {
  const list = hooks.get(type) ?? [];
  list.push(hook);
  hooks.set(type, list);
  return () => {
    const l = hooks.get(type);
    if (l) hooks.set(type, l.filter((h) => h !== hook));
  };
}

export async function runStripeEventHooks(event: WebhookEvent): Promise<void> {
  for (const hook of [...(hooks.get(event.type) ?? []), ...(hooks.get('*') ?? [])]) await hook(event);
}
