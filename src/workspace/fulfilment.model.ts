import mongoose, { Schema } from 'mongoose';

/**
 * How a co-op share was shipped, in a small document of its own (`_id` is
 * the share's id) so that writing it never races the share's own updates.
 */
export interface Shipment {
  _id: string;
  carrier: string;
  trackingNumber: string;
  at: Date;
}

export const ShipmentModel = mongoose.model<Shipment>(
  'Shipment',
  new Schema<Shipment>(
    {
      _id: { type: String, required: true },
      carrier: { type: String, default: '' },
      trackingNumber: { type: String, default: '' },
      at: { type: Date, required: true },
    },
    { collection: 'shipments', versionKey: false },
  ),
);
