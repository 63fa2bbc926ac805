import { randomBytes } from 'node:crypto';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { AppError } from '../platform/errors';
import type { FileStorage } from '../platform/storage';
import { IMAGE_WIDTHS } from './media';

/** Upload size limit, enforced by multer while the file streams in. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/**
 * Decompression-bomb guard: a small file can declare a huge canvas (say
 * 50 000 × 50 000) that would take gigabytes to decode. 40 megapixels is
 * more than any phone photo.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
const ACCEPTED = new Set(['jpeg', 'png', 'webp']);

const rejected = (code: string, message: string) => new AppError(code, message, 422);

let loaded: Promise<(input: Buffer, options?: SharpOptions) => Sharp> | undefined;

/**
 * sharp, loaded on the first image. Loading libvips maps about 6 MB of
 * library and starts its thread pool and caches, which a process that never
 * receives an upload (most of them, most of the time) should not carry.
 * Its operation cache is off: each upload is decoded once per width and
 * nothing is asked twice.
 */
export function imageLibrary(): Promise<(input: Buffer, options?: SharpOptions) => Sharp> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return (input, options) => sharp(input, options);
  });
  return loaded;
}

/**
 * Checks an uploaded file by its content, never by its name or declared
 * type: only JPEG, PNG and WebP are accepted (SVG, which can carry script,
 * and everything else are refused). Re-encodes it to WebP in each width,
 * turned upright and with its metadata (EXIF, GPS) stripped, under a random
 * key. Nothing is stored unless every width was made.
 */
export async function storeProductImage(storage: FileStorage, data: Buffer): Promise<{ key: string; widths: number[] }> {
  const sharp = await imageLibrary();
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
  } catch (cause) {
    throw new AppError('image_unreadable', 'Not an image we can read', 422, { cause });
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) throw rejected('image_type', `Image type ${meta.format ?? 'unknown'} not accepted`);
  if (!meta.width || !meta.height || meta.width * meta.height > MAX_IMAGE_PIXELS)
    throw rejected('image_too_many_pixels', 'Image too large in pixels');

  const outputs: { width: number; data: Buffer }[] = [];
  try {
    for (const width of IMAGE_WIDTHS) {
      const out = await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
        .rotate()
        .resize({ width, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      outputs.push({ width, data: out });
    }
  } catch (cause) {
    throw new AppError('image_unreadable', 'Not an image we can read', 422, { cause });
  }
  const key = `products/${randomBytes(16).toString('hex')}`;
  const written: string[] = [];
  try {
    for (const o of outputs) {
      const file = `${key}-${o.width}.webp`;
      await storage.put(file, o.data, 'image/webp');
      written.push(file);
    }
  } catch (err) {
    await Promise.all(written.map((f) => storage.remove(f)));
    throw err;
  }
  return { key, widths: outputs.map((o) => o.width) };
}

/** Removes every stored width of an image. */
export async function removeProductImage(storage: FileStorage, image: { key: string; widths: number[] }): Promise<void> {
  await Promise.all(image.widths.map((w) => storage.remove(`${image.key}-${w}.webp`)));
}
