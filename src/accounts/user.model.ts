import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

const addressSchema = new Schema(
  {
    label: { type: String, default: '' },
    name: { type: String, required: true },
    line1: { type: String, required: true },
    line2: { type: String, default: '' },
    postalCode: { type: String, required: true },
    city: { type: String, required: true },
    province: { type: String, default: '' },
    country: { type: String, required: true, default: 'IT' },
    phone: { type: String, default: '' },
  },
  { _id: true },
);

const userSchema = new Schema(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    passwordHash: { type: String, required: true },
    emailVerifiedAt: Date,
    isAdmin: { type: Boolean, default: false },
    locale: { type: String, enum: ['it', 'en'], default: 'it' },
    addresses: { type: [addressSchema], default: [] },
    acceptedTermsAt: Date,
    /** Bumped whenever the user's rights change, so live sessions re-check them. */
    rightsVersion: { type: Number, default: 0 },
    /**
     * When sessions of this user were last ended (a sign-out, a password reset):
     * a copy of a session a process holds from before then is read again from
     * the store (platform/session-cache.ts).
     */
    sessionsEndedAt: Date,
    /**
     * Tokens other features move when they change what they keep per user
     * (`stampUser`): `cart` for the saved cart. The user is read on every
     * request, so a process may keep such data and check its stamp for free.
     */
    stamps: { type: Map, of: String, default: undefined },
    deletedAt: Date,
  },
  { timestamps: true, collection: 'users' },
);

export type User = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
export const UserModel = mongoose.model('User', userSchema);
