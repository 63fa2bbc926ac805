import type { Category, Certification, Unit } from '../catalog';
import type { DemoPicture } from './pictures';

/** The shape of the demo data (demo-data.ts and demo-data-more.ts fill it). */
export interface DemoCoop {
  slug: string;
  name: string;
  kind: 'agricultural' | 'craft';
  socialType: 'A' | 'B' | 'none';
  region: string;
  town: string;
  /** The co-op's legal identity ("sold by"): its P.IVA, with a valid check digit, and registered seat. */
  vatNumber: string;
  seat: string;
  story: { it: string; en: string };
  impact: { members: number; integrationWorkers: number; trainingHours: number; supports: { it: string; en: string } };
  shipping: { flatCents: number; freeOverCents: number; pickup: boolean };
}

/**
 * [slug, category, name it, name en, description it, description en, price cents, IVA %, unit, certifications, season months, stock, tags, picture]
 * The picture names the kind of object drawn for the product (pictures/index.ts), never guessed from its words.
 */
export type DemoProductRow = [
  string,
  Category,
  string,
  string,
  string,
  string,
  number,
  4 | 10 | 22,
  Unit,
  Certification[],
  number[],
  number,
  string[],
  DemoPicture,
];

export interface DemoVariant {
  sku: string;
  it: string;
  en: string;
  size?: string;
  colour?: string;
  priceCents: number;
  stock: number;
}

export type DemoCoopWithProducts = DemoCoop & { products: DemoProductRow[]; variants?: Record<string, DemoVariant[]> };
