import mongoose, { Schema, type Model } from 'mongoose';

/**
 * A photo sent with the goods form before its product was saved (see
 * workspace/uploads.ts): its files are stored at once so that nothing the
 * member sent is lost, and this record remembers them until the product
 * keeps them or the sweep removes them (a form left unsaved).
 */
export interface StagedImage {
  /** The image's storage key (its files are `<key>-<width>.webp`). */
  _id: string;
  widths: number[];
  stagedAt: Date;
}

const schema = new Schema<StagedImage>(
  {
    _id: { type: String, required: true },
    widths: { type: [Number], required: true },
    stagedAt: { type: Date, required: true },
  },
  { collection: 'staged_images', versionKey: false },
);
schema.index({ stagedAt: 1 });

export const StagedImageModel: Model<StagedImage> =
  (mongoose.models.StagedImage as Model<StagedImage> | undefined) ?? mongoose.model<StagedImage>('StagedImage', schema);
