import { z } from 'zod';

/** The online withdrawal form. Field names match the form's inputs. */
export const WithdrawalBody = z.object({
  number: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^FIL-\d{4}-\d{6,}$/, 'legal.withdrawal.errors.number'),
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('legal.withdrawal.errors.email')),
  name: z.string().trim().min(1, 'legal.withdrawal.errors.name').max(100, 'legal.withdrawal.errors.name'),
  goods: z.string().trim().max(1000, 'legal.withdrawal.errors.goods').default(''),
  receivedOn: z
    .string()
    .trim()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'legal.withdrawal.errors.receivedOn')
    .default(''),
  confirm: z.literal('yes', 'legal.withdrawal.errors.confirm'),
});
export type WithdrawalInput = z.infer<typeof WithdrawalBody>;
