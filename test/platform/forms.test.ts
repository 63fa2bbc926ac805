import assert from 'node:assert/strict';
import { z } from 'zod';
import { fieldErrors } from '../../src/platform/forms';

describe('platform/forms', () => {
  describe('fieldErrors', () => {
    const Signup = z.object({ email: z.email(), password: z.string().min(8), tags: z.array(z.string().min(2)) }).superRefine((v, ctx) => {
      if (v.password === v.email) ctx.addIssue({ code: 'custom', path: [], message: 'same' });
    });

    describe('with a prefix', () => {
      it('keys each field by <prefix>.<field>, the first problem of a field winning', () => {
        const r = Signup.safeParse({ email: 'no', password: 'short', tags: ['ok'] });
        assert.equal(r.success, false);
        assert.deepEqual(fieldErrors(r.error!, 'accounts.errors'), {
          email: 'accounts.errors.email',
          password: 'accounts.errors.password',
        });
      });

      it('names a nested input by its dotted path and a whole-form problem "form"', () => {
        const r = Signup.safeParse({ email: 'a@b.it', password: 'a@b.it', tags: ['ok', 'x'] });
        assert.deepEqual(fieldErrors(r.error!, 'accounts.errors'), {
          'tags.1': 'accounts.errors.tags',
          password: 'accounts.errors.password',
          form: 'accounts.errors.form',
        });
      });
    });

    describe('with a fallback', () => {
      const Goods = z.object({
        name: z.string().min(1, 'workspace.errors.required'),
        status: z.enum(['packed', 'shipped']),
        note: z.string().max(3, 'other.errors.tooLong'),
      });

      it("uses the schema's own locale key, and the fallback for messages zod worded or keys of another file", () => {
        const r = Goods.safeParse({ name: '', status: 'lost', note: 'too long' });
        assert.deepEqual(fieldErrors(r.error!, { fallback: 'workspace.errors.invalid' }), {
          name: 'workspace.errors.required',
          status: 'workspace.errors.invalid',
          note: 'workspace.errors.invalid',
        });
      });
    });
  });
});
