import type { Express } from 'express';
import { MembershipModel, type MemberRole } from '../../src/coops/membership.model';
import { signedIn, suffix } from '../admin/helpers';
import { makeUser } from '../support/factories';
import { csrfFrom } from '../support/app';

export { signedIn, suffix };

/** A user with `role` in co-op `coopId`, signed in. */
export async function memberOf(app: Express, coopId: string, role: MemberRole) {
  const user = await makeUser();
  await MembershipModel.create({ user: user.id, coop: coopId, role });
  return { user, agent: await signedIn(app, user.id) };
}

/** A fresh CSRF token for the agent's session, read from a page with a form. */
export async function tokenFor(agent: Awaited<ReturnType<typeof signedIn>>, page = '/join'): Promise<string> {
  const res = await agent.get(page).expect(200);
  return csrfFrom(res.text);
}

/** A valid Italian VAT number (11 digits with its check digit). */
export function vatNumber(): string {
  const digits = Array.from({ length: 10 }, () => Math.floor(Math.random() * 10));
  let sum = 0;
  digits.forEach((d, i) => {
    let x = d;
    if (i % 2 === 1) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  });
  return digits.join('') + String((10 - (sum % 10)) % 10);
}

/** The goods form as a browser sends it. */
export function goodsForm(over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    nameIt: `Miele ${suffix()}`,
    nameEn: 'Honey',
    descriptionIt: 'Miele di castagno',
    descriptionEn: 'Chestnut honey',
    category: 'honey',
    unit: 'jar500g',
    ivaRate: '10',
    tags: 'miele, castagno',
    lot: 'L42',
    tracedOn: '2026-06-01',
    place: 'Sila',
    vSku: ['default', ''],
    vPrice: ['9,50', ''],
    vStock: ['12', ''],
    vStockSeen: ['', ''],
    vLabelIt: ['', ''],
    vLabelEn: ['', ''],
    vSize: ['', ''],
    vColour: ['', ''],
    ...over,
  };
}

/** urlencoded body with repeated keys for lists, as a browser sends a form. */
export function formBody(fields: Record<string, string | string[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p.toString();
}

/** A small real photo, as a phone would send it. */
export async function photoJpeg(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: 400, height: 300, channels: 3, background: '#b5651d' } })
    .jpeg()
    .toBuffer();
}

/** Posts the goods form as a browser does (multipart, CSRF token in the URL), with a photo when given. */
export function postGoodsForm(
  agent: Awaited<ReturnType<typeof signedIn>>,
  url: string,
  csrf: string,
  fields: Record<string, string | string[]>,
  photo?: Buffer,
) {
  let req = agent.post(`${url}?_csrf=${encodeURIComponent(csrf)}`);
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) req = req.field(k, x);
  if (photo) req = req.attach('image', photo, { filename: 'IMG_0042.jpg', contentType: 'image/jpeg' });
  return req;
}
