import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT_DIR } from './config';

export const LOCALES = ['it', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'it';

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

type Messages = { [key: string]: string | Messages };
export type TranslateParams = Record<string, string | number>;
export type Translate = (key: string, params?: TranslateParams) => string;

const LOCALES_DIR = join(ROOT_DIR, 'locales');

/**
 * Each feature keeps its strings in `locales/<lang>/<namespace>.json`, so
 * `t('catalog.shop.title')` reads `locales/it/catalog.json` → shop.title.
 * Loaded once at start.
 */
function loadMessages(): Record<Locale, Messages> {
  const out = {} as Record<Locale, Messages>;
  for (const locale of LOCALES) {
    const dir = join(LOCALES_DIR, locale);
    const messages: Messages = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      messages[basename(file, '.json')] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Messages;
    }
    out[locale] = messages;
  }
  return out;
}

const MESSAGES = loadMessages();

function lookup(messages: Messages, key: string): string | Messages | undefined {
  let node: string | Messages | undefined = messages;
  for (const part of key.split('.')) {
    if (!node || typeof node === 'string') return undefined;
    // Own keys only: `t('catalog.departments.constructor')` must find nothing, not Object's constructor.
    node = Object.hasOwn(node, part) ? node[part] : undefined;
  }
  return node;
}

function interpolate(text: string, params?: TranslateParams): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/**
 * A translator for one locale. A key missing in that locale falls back to
 * the other one, then to the key itself (so a gap shows, rather than breaks).
 * A message that is an object is chosen by plural rule with `params.count`:
 * `{ "one": "{count} prodotto", "other": "{count} prodotti" }`.
 */
export function translator(locale: Locale): Translate {
  let t = TRANSLATORS.get(locale);
  if (!t) TRANSLATORS.set(locale, (t = makeTranslator(locale)));
  return t;
}

// One translator per locale, built once: every request and every mail asks for one.
const TRANSLATORS = new Map<Locale, Translate>();

function makeTranslator(locale: Locale): Translate {
  const plural = new Intl.PluralRules(locale);
  const order: Locale[] = [locale, ...LOCALES.filter((l) => l !== locale)];
  // Each key's message in each language, looked up once (a page asks for about a hundred). Only keys
  // that exist are kept, so the maps never hold more than the messages do, whatever a key is made of.
  const kept = order.map(() => new Map<string, string | Messages>());
  const find = (i: number, key: string): string | Messages | undefined => {
    let found = kept[i]!.get(key);
    if (found === undefined) {
      found = lookup(MESSAGES[order[i]!], key);
      if (found !== undefined) kept[i]!.set(key, found);
    }
    return found;
  };
  return (key, params) => {
    for (let i = 0; i < order.length; i++) {
      const found = find(i, key);
      if (typeof found === 'string') return interpolate(found, params);
      if (found && typeof params?.count === 'number') {
        const form = found[plural.select(params.count)] ?? found.other;
        if (typeof form === 'string') return interpolate(form, params);
      }
    }
    return key;
  };
}

/** Prints one of the app's codes (a state, a kind, a reason) as words: see `labeller`. */
export type Label = (ns: string, code: string | null | undefined) => string;

/**
 * The one way a view prints a code: `label('orders.status', order.status)`
 * is the text at `orders.status.<code>`. Every value of every state model
 * has its words in both languages (test/platform/status-labels.test.ts), so
 * the fallback, the code as it is, is only for free text that may sit in
 * the same field (an admin's own hold reason, a provider's message).
 */
export function labeller(t: Translate): Label {
  return (ns, code) => {
    if (code === null || code === undefined || code === '') return '';
    const key = `${ns}.${code}`;
    const text = t(key);
    return text === key ? code : text;
  };
}

/** Every key in a locale, for the test that both locales have the same keys. */
export function localeKeys(locale: Locale): string[] {
  const keys: string[] = [];
  const walk = (node: Messages, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') keys.push(prefix + k);
      else walk(v, `${prefix}${k}.`);
    }
  };
  walk(MESSAGES[locale], '');
  return keys.sort();
}

/**
 * Picks the text in the wanted language from a `{ it, en }` content field,
 * falling back to the other language when one is missing.
 */
export function localized(field: Partial<Record<Locale, string>> | undefined | null, locale: Locale): string {
  if (!field) return '';
  return field[locale] || field[locale === 'it' ? 'en' : 'it'] || '';
}

/** Locale from the `lang` cookie (set by the language switch), then the browser, then Italian. */
export function pickLocale(cookieLocale: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookieLocale)) return cookieLocale;
  const first = acceptLanguage?.split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return isLocale(first) ? first : DEFAULT_LOCALE;
}
