/**
 * Drawing helpers shared by the demo picture library: colour arithmetic,
 * a small seeded random source (so a drawing is the same on every run),
 * and the shading overlays every picture's <defs> declares (pictureSvg in
 * ./index.ts). Drawings use a 400×300 canvas whose table top starts at y=240.
 */

/** The parameters a drawing receives: its kind's defaults overridden by the product's own. */
export interface Paint {
  /** Main colour: the glass, the fabric, the fruit. */
  colour: string;
  /** Second colour: a label, a lid, a stripe, a handle. */
  accent: string;
  /** Third colour: pieces in a jar, a pattern, a wine in its glass. */
  detail: string;
  /** Shape variant within the kind ("lemon", "patchwork", "stack"…); '' for the kind's usual shape. */
  variant: string;
  /** Short text printed on a label, when the kind has one. */
  label: string;
  /** Random source seeded from the product's picture, for scattered pieces. */
  rand: () => number;
}

export type Draw = (p: Paint) => string;

const hex = (c: string): [number, number, number] => {
  const h = c.replace('#', '');
  const full = h.length === 3 ? [...h].map((x) => x + x).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
};

/** `a` moved towards `b` by `t` (0…1). */
export function mix(a: string, b: string, t: number): string {
  const [x, y] = [hex(a), hex(b)];
  return `#${x
    .map((v, i) =>
      Math.round(v + (y[i]! - v) * t)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
export const darken = (c: string, t: number) => mix(c, '#000000', t);
export const lighten = (c: string, t: number) => mix(c, '#ffffff', t);

/** A deterministic random source from a string: FNV-1a of the string, then xorshift32. */
export function seeded(seed: string): () => number {
  let x = 2166136261;
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0;
  x ||= 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** Rounds for compact SVG text. */
export const r1 = (n: number) => Math.round(n * 10) / 10;

/** The gradients every picture declares once; shapes reuse them by id. */
export const DEFS = `<defs>
<radialGradient id="glow" cx="50%" cy="35%" r="70%"><stop offset="0" stop-color="#fff" stop-opacity=".6"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient>
<linearGradient id="cyl" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#000" stop-opacity=".18"/><stop offset=".2" stop-color="#fff" stop-opacity=".35"/><stop offset=".42" stop-color="#fff" stop-opacity="0"/><stop offset=".72" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity=".28"/></linearGradient>
<radialGradient id="ball" cx=".36" cy=".3" r=".78"><stop offset="0" stop-color="#fff" stop-opacity=".5"/><stop offset=".32" stop-color="#fff" stop-opacity="0"/><stop offset=".75" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity=".3"/></radialGradient>
<linearGradient id="fall" x1="0" x2="0" y1="0" y2="1"><stop offset="0" stop-color="#fff" stop-opacity=".22"/><stop offset=".5" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity=".2"/></linearGradient>
<radialGradient id="shadow"><stop offset="0" stop-color="#000" stop-opacity=".28"/><stop offset=".6" stop-color="#000" stop-opacity=".12"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>
</defs>`;

/** A shape and its cylinder shading (light from the left). */
export const cyl = (shape: string) => `${shape}${shape.replace(/fill="[^"]*"/, 'fill="url(#cyl)"')}`;
/** A shape and its round shading (a ball lit from the upper left). */
export const ball = (shape: string) => `${shape}${shape.replace(/fill="[^"]*"/, 'fill="url(#ball)"')}`;
/** A shape and its top-to-bottom shading (cloth, boards). */
export const fall = (shape: string) => `${shape}${shape.replace(/fill="[^"]*"/, 'fill="url(#fall)"')}`;

/** The soft contact shadow under an object standing on the table. */
export const shadow = (cx: number, cy: number, rx: number, ry = rx / 7) =>
  `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${r1(ry)}" fill="url(#shadow)"/>`;

/**
 * Label text, centred at (x, y), made smaller when it would be wider than
 * `maxWidth` (a serif letter is about 0.62 of its size wide).
 */
export const text = (x: number, y: number, s: string, size: number, fill: string, weight = 'bold', maxWidth = Infinity) => {
  if (!s) return '';
  const fitted = r1(Math.min(size, maxWidth / (s.length * 0.62)));
  return `<text x="${x}" y="${y}" font-family="DejaVu Serif, Liberation Serif, serif" font-size="${fitted}" font-weight="${weight}" fill="${fill}" text-anchor="middle">${escapeXml(s)}</text>`;
};

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `n` items laid along a row from x0 to x1 (inclusive), for repeated details. */
export const along = (n: number, x0: number, x1: number, f: (x: number, i: number) => string) =>
  Array.from({ length: n }, (_, i) => f(n === 1 ? x0 : x0 + ((x1 - x0) * i) / (n - 1), i)).join('');
