/** The stored fields of a star rating (see ratings.ts): `s1`…`s5` rather than an array, so each is one `$inc` path. */
export const ratingFields = {
  count: { type: Number, default: 0 },
  sum: { type: Number, default: 0 },
  s1: { type: Number, default: 0 },
  s2: { type: Number, default: 0 },
  s3: { type: Number, default: 0 },
  s4: { type: Number, default: 0 },
  s5: { type: Number, default: 0 },
};
