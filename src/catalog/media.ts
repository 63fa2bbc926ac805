/**
 * Product images and co-op covers are stored as `<key>-<width>.webp` for
 * each width in IMAGE_WIDTHS (co-op logos: LOGO_WIDTHS) and served at
 * /media. These helpers build the URLs the views use.
 */
export const IMAGE_WIDTHS = [320, 640, 960] as const;
export const LOGO_WIDTHS = [96, 192] as const;

export const imageUrl = (key: string, width: number): string => `/media/${key}-${width}.webp`;

/** A `srcset` value: "/media/k-320.webp 320w, /media/k-640.webp 640w, …". */
export const imageSrcset = (key: string, widths: readonly number[] = IMAGE_WIDTHS): string =>
  widths.map((w) => `${imageUrl(key, w)} ${w}w`).join(', ');
