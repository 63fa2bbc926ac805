import mongoose, { Schema, type Types } from 'mongoose';

/**
 * A buyer's withdrawal request (recesso) sent with the online form: which
 * order, which goods (free text; empty means the whole order), who, when.
 * It records the buyer's statement; the co-ops concerned take it from there
 * (return, refund), as they would a letter or a PEC.
 */
export interface WithdrawalRequest {
  _id: Types.ObjectId;
  order: Types.ObjectId;
  orderNumber: string;
  coops: Types.ObjectId[];
  name: string;
  email: string;
  goods: string;
  receivedOn: string;
  user?: Types.ObjectId | null;
  locale: 'it' | 'en';
  createdAt: Date;
}

const schema = new Schema<WithdrawalRequest>(
  {
    order: { type: Schema.Types.ObjectId, ref: 'Order', required: true },
    orderNumber: { type: String, required: true },
    coops: { type: [Schema.Types.ObjectId], default: [] },
    name: { type: String, required: true },
    email: { type: String, required: true },
    goods: { type: String, default: '' },
    receivedOn: { type: String, default: '' },
    user: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    locale: { type: String, enum: ['it', 'en'], default: 'it' },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'withdrawal_requests', versionKey: false },
);

export const WithdrawalRequestModel = mongoose.model<WithdrawalRequest>('WithdrawalRequest', schema);
