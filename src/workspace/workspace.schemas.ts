import { z } from 'zod';

const line = (max: number) => z.string().trim().max(max, 'workspace.errors.tooLong').default('');

export const ObjectIdParam = z.string().regex(/^[a-f0-9]{24}$/);
export const RandomIdParam = z.string().regex(/^[a-f0-9]{32}$/);

export const FULFILMENT_ACTIONS = ['preparing', 'shipped', 'delivered', 'ready_for_pickup', 'collected'] as const;
export const FulfilmentSchema = z.object({
  status: z.enum(FULFILMENT_ACTIONS),
  carrier: line(60),
  trackingNumber: z
    .string()
    .trim()
    .max(60)
    .regex(/^[A-Za-z0-9 -]*$/, 'workspace.errors.tracking')
    .default(''),
});
