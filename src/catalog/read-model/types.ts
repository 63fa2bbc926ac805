import type { Locale } from '../../platform/i18n';
import type { RatingSummary } from '../ratings';
import type { Category, Certification, Department, Unit } from '../categories';

/**
 * The shapes of the catalogue's read model: what the storefront pages,
 * the cart and checkout see of a product and its co-op.
 */

export type Text = { it: string; en: string };

export interface CatalogImage {
  key: string;
  widths: number[];
  alt: Text;
}

export interface CatalogVariant {
  sku: string;
  label: Text;
  size: string;
  colour: string;
  priceCents: number;
}

export interface CatalogCoop {
  id: string;
  slug: string;
  name: string;
  kind: 'agricultural' | 'craft';
  socialType: 'A' | 'B' | 'none';
  region: string;
  town: string;
  story: Text;
  contact: { email: string; phone: string; website: string };
  logo: string;
  cover: string;
  impact: { members?: number; integrationWorkers?: number; trainingHours?: number; supports: Text };
  shipping: { flatCents: number; freeOverCents: number; pickup: boolean };
  /** The seller's legal identity ("sold by"): ragione sociale, P.IVA, registered seat. */
  legal: { name: string; vatNumber: string; seat: string };
  stripeAccountId?: string;
  approvedAt?: Date;
}

export interface CatalogProduct {
  /** Position in the snapshot's `products` (newest first); the row in its columns. */
  idx: number;
  id: string;
  slug: string;
  coopId: string;
  coop: CatalogCoop;
  department: Department;
  category: Category;
  name: Text;
  description: Text;
  priceCents: number;
  ivaRate: number;
  unit: Unit;
  variants: CatalogVariant[];
  images: CatalogImage[];
  tags: string[];
  certifications: Certification[];
  traceability: { lot: string; date?: Date; place: string; materials: Text };
  care: Text;
  seasonMonths: number[];
  /** Its reviews' stars, kept by the reviews feature (catalog/ratings.ts). */
  rating: RatingSummary;
  createdAt: Date;
  updatedAt: Date;
}

/** One consistent picture of the catalogue; replaced whole on reload, never changed in place. */
export interface CatalogSnapshot {
  loadedAt: Date;
  /** Newest first. */
  products: CatalogProduct[];
  byId: Map<string, CatalogProduct>;
  bySlug: Map<string, CatalogProduct>;
  byCoop: Map<string, CatalogProduct[]>;
  byCategory: Map<Category, CatalogProduct[]>;
  /** Approved co-ops by name. */
  coops: CatalogCoop[];
  coopsById: Map<string, CatalogCoop>;
  coopsBySlug: Map<string, CatalogCoop>;
  regions: string[];
  /**
   * The filterable fields as typed columns indexed by `idx`, so a listing is
   * one tight loop over numbers (a 10,000-product scan takes well under a
   * millisecond) instead of property lookups on objects.
   */
  cols: {
    department: Uint8Array;
    category: Uint8Array;
    coop: Int32Array;
    region: Int32Array;
    price: Int32Array;
    /** Bit i set: has CERTIFICATIONS[i]. */
    certs: Int32Array;
    /** Bit m set: in season in month m (1–12). */
    season: Int32Array;
  };
  /** Product rows in each sort order, computed once per load. */
  orders: { newest: Int32Array; priceAsc: Int32Array; priceDesc: Int32Array; rating: Int32Array; name: Record<Locale, Int32Array> };
  /** Every normalised word → the rows that contain it; `vocabulary` is the sorted words, for prefix lookups. */
  words: Map<string, Int32Array>;
  vocabulary: string[];
}

/** Stock levels this process wrote itself, with their values, so they need no reading back. */
export interface KnownStock {
  levels: Map<string, number>;
  /** stockLoadCount() when the first of them was written. */
  since: number;
}
