import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { CoreDeps } from '../platform/deps';
import { limiter } from '../platform/rate-limit';
import { safeNext } from '../platform/security';
import { flash } from '../platform/web';
import { isAppError } from '../platform/errors';
import { fieldErrors } from '../platform/forms';
import { requireUser } from './guards';
import { createAccountsService, listAddresses, getAddress } from './accounts.service';
import { endSession, startUserSession } from './session';
import {
  AddressBody,
  DeleteAccountBody,
  EU_COUNTRIES,
  ForgotBody,
  LoginBody,
  ObjectIdParam,
  ProfileBody,
  ResetBody,
  SignupBody,
} from './accounts.schemas';

const MINUTE = 60_000;
const emailOf = (req: Request) =>
  String((req.body as { email?: unknown } | undefined)?.email ?? '')
    .trim()
    .toLowerCase();

/**
 * Brakes on guessing, counted in MongoDB so they hold across processes.
 * Login counts failures only, per IP and email (a targeted guess) and per IP
 * (a spray over many emails); a successful sign-in clears the IP+email count.
 */
export const ACCOUNT_LIMITS = {
  loginPerIpEmail: { windowMs: 15 * MINUTE, limit: 5 },
  loginPerIp: { windowMs: 15 * MINUTE, limit: 50 },
  /**
   * Per account, from anywhere: a guess spread over many addresses slows to
   * 10 tries in 15 minutes. It never locks the owner out for good: the
   * window passes, and a password reset (limited on its own) always works.
   */
  loginPerAccount: { windowMs: 15 * MINUTE, limit: 10 },
  signupPerIp: { windowMs: 60 * MINUTE, limit: 10 },
  resetPerIpEmail: { windowMs: 15 * MINUTE, limit: 3 },
  resetPerIp: { windowMs: 60 * MINUTE, limit: 20 },
  resendPerUser: { windowMs: 60 * MINUTE, limit: 3 },
} as const;

type Values = Record<string, unknown>;

/** Renders a form page; with errors it is the 422 answer holding the user's input. */
function form(
  res: Response,
  view: string,
  title: string,
  values: Values = {},
  errors: Record<string, string> = {},
  status = 200,
  extra: Values = {},
) {
  const { password: _p, _csrf: _c, ...safe } = values;
  res.status(Object.keys(errors).length && status === 200 ? 422 : status).render(view, { title, values: safe, errors, ...extra });
}

const parse = <S extends z.ZodType>(schema: S, body: unknown) => schema.safeParse(body ?? {});

export function accountsRoutes(deps: CoreDeps): Router {
  const router = Router();
  const service = createAccountsService({
    mailer: deps.mailer,
    logger: deps.logger,
    publicUrl: deps.config.publicUrl,
    events: deps.events,
  });
  const t = (req: Request, key: string) => req.t(key);
  const ipEmail = (req: Request) => `${req.ip}|${emailOf(req)}`;

  const loginPerIpEmail = limiter({
    name: 'login-ip-email',
    ...ACCOUNT_LIMITS.loginPerIpEmail,
    key: ipEmail,
    skipSuccessfulRequests: true,
  });
  const loginPerIp = limiter({ name: 'login-ip', ...ACCOUNT_LIMITS.loginPerIp, skipSuccessfulRequests: true });
  const loginPerAccount = limiter({ name: 'login-account', ...ACCOUNT_LIMITS.loginPerAccount, key: emailOf, skipSuccessfulRequests: true });
  const signupPerIp = limiter({ name: 'signup-ip', ...ACCOUNT_LIMITS.signupPerIp });
  const resetPerIpEmail = limiter({ name: 'reset-ip-email', ...ACCOUNT_LIMITS.resetPerIpEmail, key: ipEmail });
  const resetPerIp = limiter({ name: 'reset-ip', ...ACCOUNT_LIMITS.resetPerIp });
  const resendPerUser = limiter({ name: 'resend-user', ...ACCOUNT_LIMITS.resendPerUser, key: (req) => req.user?.id ?? String(req.ip) });
  const clearLoginFailures = (req: Request) =>
    (loginPerIpEmail as unknown as { resetKey(k: string): Promise<void> | void }).resetKey(ipEmail(req));

  // --- Sign up and email verification ---

  router.get('/signup', (req, res) => {
    if (req.user) return res.redirect(303, '/account');
    form(res, 'accounts/signup', t(req, 'accounts.signup.title'));
  });

  router.post('/signup', signupPerIp, async (req, res) => {
    const parsed = parse(SignupBody, req.body);
    if (!parsed.success)
      return form(res, 'accounts/signup', t(req, 'accounts.signup.title'), req.body, fieldErrors(parsed.error, 'accounts.errors'));
    await service.signUp(parsed.data, req.locale, req.publicUrl);
    res.render('accounts/check-email', { title: t(req, 'accounts.checkEmail.title'), email: parsed.data.email, kind: 'signup' });
  });

  router.get('/verify/:token', async (req, res) => {
    const ok = await service.verifyEmail(req.params.token);
    res
      .status(ok ? 200 : 410)
      .render('accounts/verified', { title: t(req, ok ? 'accounts.verified.title' : 'accounts.linkInvalid.title'), ok });
  });

  router.post('/account/verify', requireUser, resendPerUser, async (req, res) => {
    await service.resendVerification(req.user!.id, req.publicUrl);
    flash(req, 'info', 'accounts.account.verificationSent');
    res.redirect(303, '/account');
  });

  // --- Log in and out ---

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next, '/');
    if (req.user) return res.redirect(303, next);
    form(res, 'accounts/login', t(req, 'accounts.login.title'), { next });
  });

  router.post('/login', loginPerIp, loginPerAccount, loginPerIpEmail, async (req, res) => {
    const parsed = parse(LoginBody, req.body);
    const next = safeNext(parsed.success ? parsed.data.next : undefined, '/');
    const fail = (status: number) =>
      form(
        res,
        'accounts/login',
        t(req, 'accounts.login.title'),
        { email: typeof req.body?.email === 'string' ? req.body.email : '', next },
        { form: 'accounts.errors.credentials' },
        status,
      );
    if (!parsed.success) return fail(422);
    const who = await service.authenticate(parsed.data.email, parsed.data.password);
    if (!who) return fail(401);
    await clearLoginFailures(req);
    await startUserSession(req, who.id, who.rightsVersion, deps.events);
    res.redirect(303, next);
  });

  router.post('/logout', async (req, res) => {
    await endSession(req, res);
    res.redirect(303, '/');
  });

  // --- Password reset ---

  router.get('/password/forgot', (req, res) => form(res, 'accounts/forgot', t(req, 'accounts.forgot.title')));

  router.post('/password/forgot', resetPerIp, resetPerIpEmail, async (req, res) => {
    const parsed = parse(ForgotBody, req.body);
    if (!parsed.success)
      return form(res, 'accounts/forgot', t(req, 'accounts.forgot.title'), req.body, fieldErrors(parsed.error, 'accounts.errors'));
    await service.requestPasswordReset(parsed.data.email, req.publicUrl);
    res.render('accounts/check-email', { title: t(req, 'accounts.checkEmail.title'), email: parsed.data.email, kind: 'reset' });
  });

  const linkInvalid = (req: Request, res: Response) =>
    res.status(410).render('accounts/verified', { title: t(req, 'accounts.linkInvalid.title'), ok: false });

  router.get('/password/reset/:token', async (req, res) => {
    if (!(await service.resetTokenIsLive(req.params.token))) return linkInvalid(req, res);
    // The token is in the URL: keep it out of the Referer of anything the page links to.
    res.set('Referrer-Policy', 'no-referrer');
    form(res, 'accounts/reset', t(req, 'accounts.reset.title'), {}, {}, 200, { token: req.params.token });
  });

  router.post('/password/reset/:token', resetPerIp, async (req, res) => {
    const parsed = parse(ResetBody, req.body);
    if (!parsed.success) {
      return form(res, 'accounts/reset', t(req, 'accounts.reset.title'), {}, fieldErrors(parsed.error, 'accounts.errors'), 422, {
        token: req.params.token,
      });
    }
    if (!(await service.resetPassword(String(req.params.token), parsed.data.password))) return linkInvalid(req, res);
    // This browser's session (if any) was ended with the others: start clean.
    await endSession(req, res);
    res.redirect(303, '/login?reset=1');
  });

  // --- Profile, addresses, deletion ---

  const account = Router();
  account.use(requireUser);

  const accountPage = async (req: Request, res: Response, values: Values = {}, errors: Record<string, string> = {}, status = 200) => {
    const addresses = await listAddresses(req.user!.id);
    form(
      res,
      'accounts/account',
      t(req, 'accounts.account.title'),
      { name: req.user!.name, locale: req.user!.locale, ...values },
      errors,
      status,
      { addresses },
    );
  };

  account.get('/', (req, res) => accountPage(req, res));

  account.post('/profile', async (req, res) => {
    const parsed = parse(ProfileBody, req.body);
    if (!parsed.success) return accountPage(req, res, req.body, fieldErrors(parsed.error, 'accounts.errors'));
    await service.updateProfile(req.user!.id, parsed.data);
    flash(req, 'success', 'accounts.account.saved');
    res.redirect(303, '/account');
  });

  const addressForm = (req: Request, res: Response, values: Values, errors: Record<string, string> = {}, addressId?: string) =>
    form(res, 'accounts/address', t(req, addressId ? 'accounts.address.editTitle' : 'accounts.address.newTitle'), values, errors, 200, {
      countries: EU_COUNTRIES,
      addressId,
    });

  account.get('/addresses/new', (req, res) => addressForm(req, res, { country: 'IT', name: req.user!.name }));

  account.post('/addresses', async (req, res) => {
    const parsed = parse(AddressBody, req.body);
    if (!parsed.success) return addressForm(req, res, req.body, fieldErrors(parsed.error, 'accounts.errors'));
    await service.addAddress(req.user!.id, parsed.data);
    flash(req, 'success', 'accounts.address.saved');
    res.redirect(303, '/account');
  });

  const addressId: RequestHandler = (req, _res, next) => (ObjectIdParam.safeParse(req.params.id).success ? next() : next('route'));

  account.get('/addresses/:id/edit', addressId, async (req, res) => {
    const a = await getAddress(req.user!.id, req.params.id as string);
    if (!a) return res.status(404).render('errors/404', { title: t(req, 'errors.notFound.title') });
    addressForm(req, res, { ...a }, {}, a.id);
  });

  account.post('/addresses/:id', addressId, async (req, res) => {
    const id = req.params.id as string;
    const parsed = parse(AddressBody, req.body);
    if (!parsed.success) return addressForm(req, res, req.body, fieldErrors(parsed.error, 'accounts.errors'), id);
    await service.updateAddress(req.user!.id, id, parsed.data);
    flash(req, 'success', 'accounts.address.saved');
    res.redirect(303, '/account');
  });

  account.post('/addresses/:id/delete', addressId, async (req, res) => {
    await service.removeAddress(req.user!.id, req.params.id as string);
    flash(req, 'success', 'accounts.address.removed');
    res.redirect(303, '/account');
  });

  account.post('/delete', async (req, res) => {
    const parsed = parse(DeleteAccountBody, req.body);
    if (!parsed.success) return accountPage(req, res, {}, fieldErrors(parsed.error, 'accounts.errors.delete'));
    try {
      await service.deleteAccount(req.user!.id, parsed.data.password);
    } catch (e) {
      if (isAppError(e) && e.code === 'wrong_password')
        return accountPage(req, res, {}, { password: 'accounts.errors.delete.wrongPassword' });
      if (isAppError(e) && e.code === 'last_owner') return accountPage(req, res, {}, { confirm: 'accounts.errors.delete.lastOwner' }, 409);
      throw e;
    }
    await endSession(req, res);
    res.render('accounts/deleted', { title: t(req, 'accounts.deleted.title') });
  });

  router.use('/account', account);
  return router;
}
