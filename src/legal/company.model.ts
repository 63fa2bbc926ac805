import mongoose, { Schema } from 'mongoose';

const text = { it: { type: String, default: '' }, en: { type: String, default: '' } };

/**
 * The platform's company data, one document (`_id` 'company'): who runs the
 * shop, as the legal pages, the footer, the order pages and the receipts
 * show it. `revision` grows by one on every change the admin saves, and is
 * part of the terms version a buyer accepts at checkout.
 */
export interface CompanyFields {
  legalName: string;
  legalForm: string;
  vatNumber: string;
  taxCode: string;
  rea: string;
  seat: string;
  pec: string;
  email: string;
  phone: string;
  complaintsEmail: string;
  hours: { it: string; en: string };
  deliveryTimes: { it: string; en: string };
  revision: number;
}

export interface CompanyDoc extends CompanyFields {
  _id: string;
  updatedBy?: string;
  updatedAt?: Date;
}

const schema = new Schema<CompanyDoc>(
  {
    _id: { type: String, required: true },
    legalName: String,
    legalForm: String,
    vatNumber: String,
    taxCode: String,
    rea: String,
    seat: String,
    pec: String,
    email: String,
    phone: String,
    complaintsEmail: String,
    hours: text,
    deliveryTimes: text,
    revision: { type: Number, default: 1 },
    updatedBy: String,
    updatedAt: Date,
  },
  { collection: 'legal_settings', versionKey: false },
);

export const CompanyModel = mongoose.model<CompanyDoc>('CompanySettings', schema);
export const COMPANY_ID = 'company';
