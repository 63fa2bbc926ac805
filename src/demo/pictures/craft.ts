import { along, ball, cyl, darken, fall, lighten, r1, shadow, text, type Draw, type Paint } from './kit';

/**
 * Clothes, bags, household linen, ceramics and woodwork. Cloth is flat
 * colour with a soft top-to-bottom shade; patterns come from the variant.
 */

/** A cloth pattern over a shape's clip: stripes, checks, patchwork, dots, weave. */
function pattern(p: Paint, id: string, x: number, y: number, w: number, h: number): string {
  const d = p.detail;
  switch (p.variant) {
    case 'stripes':
      return along(
        Math.round(w / 22),
        x + 6,
        x + w - 6,
        (sx) => `<rect x="${r1(sx)}" y="${y}" width="7" height="${h}" fill="${d}" opacity=".8"/>`,
      );
    case 'bands':
      return along(
        Math.round(h / 30),
        y + 10,
        y + h - 10,
        (sy) => `<rect x="${x}" y="${r1(sy)}" width="${w}" height="8" fill="${d}" opacity=".85"/>`,
      );
    case 'check':
      return (
        along(
          Math.round(w / 26),
          x + 8,
          x + w - 8,
          (sx) => `<rect x="${r1(sx)}" y="${y}" width="10" height="${h}" fill="${d}" opacity=".45"/>`,
        ) +
        along(
          Math.round(h / 26),
          y + 8,
          y + h - 8,
          (sy) => `<rect x="${x}" y="${r1(sy)}" width="${w}" height="10" fill="${d}" opacity=".45"/>`,
        )
      );
    case 'patchwork': {
      const cs = [p.colour, p.accent, ...d.split(',')];
      const out: string[] = [];
      for (let i = 0; x + i * 34 < x + w; i++)
        for (let j = 0; y + j * 34 < y + h; j++)
          out.push(
            `<rect x="${x + i * 34}" y="${y + j * 34}" width="34" height="34" fill="${cs[(i * 3 + j * 2 + Math.floor(p.rand() * 2)) % cs.length]}"/>`,
          );
      out.push(
        along(
          Math.ceil(w / 34),
          x,
          x + Math.ceil(w / 34) * 34,
          (sx) => `<path d="M${r1(sx)} ${y} V${y + h}" stroke="#fff" stroke-width="1.5" stroke-dasharray="3 3" opacity=".7"/>`,
        ),
      );
      return out.join('');
    }
    case 'dots':
    case 'printed':
      return Array.from({ length: Math.round((w * h) / 500) }, (_, i) => {
        const cx = r1(x + p.rand() * w);
        const cy = r1(y + p.rand() * h);
        return p.variant === 'dots'
          ? `<circle cx="${cx}" cy="${cy}" r="3" fill="${d}"/>`
          : `<path d="M${cx} ${cy} q6 -10 12 0 q-6 10 -12 0z" fill="${i % 2 ? d : p.accent}" transform="rotate(${Math.round(p.rand() * 360)} ${cx} ${cy})"/>`;
      }).join('');
    case 'weave':
      return along(
        Math.round(h / 10),
        y + 4,
        y + h - 4,
        (sy, i) =>
          `<path d="M${x} ${r1(sy)} H${x + w}" stroke="${i % 2 ? d : darken(p.colour, 0.15)}" stroke-width="4" stroke-dasharray="8 6" stroke-dashoffset="${(i % 2) * 7}"/>`,
      );
    case 'geometric':
    case 'pibiones':
      return along(Math.round(h / 34), y + 18, y + h - 18, (sy, j) =>
        along(Math.round(w / 34), x + 18, x + w - 18, (sx, i) =>
          p.variant === 'pibiones'
            ? `<circle cx="${r1(sx)}" cy="${r1(sy)}" r="4" fill="${(i + j) % 2 ? d : darken(d, 0.2)}"/><circle cx="${r1(sx + 9)}" cy="${r1(sy)}" r="3" fill="${d}"/><circle cx="${r1(sx - 9)}" cy="${r1(sy)}" r="3" fill="${d}"/><circle cx="${r1(sx)}" cy="${r1(sy + 9)}" r="3" fill="${d}"/><circle cx="${r1(sx)}" cy="${r1(sy - 9)}" r="3" fill="${d}"/>`
            : `<path d="M${r1(sx)} ${r1(sy - 12)} L${r1(sx + 12)} ${r1(sy)} L${r1(sx)} ${r1(sy + 12)} L${r1(sx - 12)} ${r1(sy)}Z" fill="${(i + j) % 2 ? d : p.accent}"/>`,
        ),
      );
    case 'cable':
      return along(Math.round(w / 30), x + 15, x + w - 15, (sx) =>
        along(
          Math.round(h / 24),
          y + 8,
          y + h - 8,
          (sy) =>
            `<path d="M${r1(sx - 7)} ${r1(sy - 8)} q7 8 14 16 M${r1(sx + 7)} ${r1(sy - 8)} q-7 8 -14 16" stroke="${darken(p.colour, 0.16)}" stroke-width="4" fill="none"/>`,
        ),
      );
    default:
      return id ? '' : '';
  }
}

/** A cloth shape filled with the product's colour, its pattern and a soft shade. */
function cloth(p: Paint, id: string, d: string, box: [number, number, number, number]): string {
  return (
    `<clipPath id="${id}"><path d="${d}"/></clipPath>` +
    `<path d="${d}" fill="${p.colour}"/>` +
    `<g clip-path="url(#${id})">${pattern(p, id, ...box)}</g>` +
    `<path d="${d}" fill="url(#fall)"/>`
  );
}

/** A collared shirt with buttons. */
export const shirt: Draw = (p) => {
  const body = 'M150 64 L104 84 L70 164 L104 176 L126 132 V250 H274 V132 L296 176 L330 164 L296 84 L250 64 Q200 84 150 64Z';
  return (
    shadow(200, 252, 110) +
    cloth(p, 'sh', body, [64, 60, 272, 196]) +
    `<path d="${body}" fill="none" stroke="${darken(p.colour, 0.22)}" stroke-width="2"/>` +
    `<path d="M126 132 V180 M274 132 V180" stroke="${darken(p.colour, 0.15)}" stroke-width="2"/>` +
    `<path d="M150 64 L178 104 L200 80 L222 104 L250 64 Q200 84 150 64Z" fill="${darken(p.colour, 0.08)}"/>` +
    `<path d="M150 64 L176 108 L200 84Z M250 64 L224 108 L200 84Z" fill="${lighten(p.colour, 0.35)}" stroke="${darken(p.colour, 0.2)}" stroke-width="1.5"/>` +
    `<path d="M200 86 V250" stroke="${darken(p.colour, 0.2)}" stroke-width="2"/>` +
    along(6, 110, 235, (y) => `<circle cx="206" cy="${r1(y)}" r="3.2" fill="${p.accent}"/>`) +
    `<path d="M222 120 h28 v26 h-28z" fill="none" stroke="${darken(p.colour, 0.2)}" stroke-width="1.5"/>`
  );
};

/** A knitted waistcoat (gilet): no sleeves, V neck, buttons. */
export const waistcoat: Draw = (p) => {
  const body = 'M150 60 Q140 110 118 124 V244 Q160 254 200 246 Q240 254 282 244 V124 Q260 110 250 60 L226 60 L200 150 L174 60Z';
  return (
    shadow(200, 252, 100) +
    cloth(p, 'wc', body, [110, 56, 180, 200]) +
    `<path d="M174 60 L200 150 L226 60" stroke="${darken(p.colour, 0.2)}" stroke-width="8" fill="none"/>` +
    `<path d="M200 150 V246" stroke="${darken(p.colour, 0.25)}" stroke-width="2"/>` +
    along(4, 168, 228, (y) => `<circle cx="207" cy="${r1(y)}" r="4" fill="${p.accent}"/>`) +
    `<path d="M118 232 Q160 242 200 234 Q240 242 282 232" stroke="${darken(p.colour, 0.15)}" stroke-width="10" fill="none"/>` +
    along(3, 112, 126, (y) => `<path d="M150 ${r1(y + 80)} q-12 -2 -24 0" stroke="${darken(p.colour, 0.2)}" stroke-width="1" fill="none"/>`)
  );
};

/** A jumper (crew neck) or, with variant "cardigan", an open front with buttons. */
export const jumper: Draw = (p) => {
  const body = 'M150 62 L104 80 L64 216 L96 226 L128 130 V244 H272 V130 L304 226 L336 216 L296 80 L250 62 Q200 84 150 62Z';
  const card = p.variant === 'cardigan';
  return (
    shadow(200, 252, 120) +
    cloth({ ...p, variant: 'cable' }, 'jm', body, [60, 58, 280, 190]) +
    `<path d="M150 62 Q200 ${card ? 150 : 92} 250 62" stroke="${darken(p.colour, 0.18)}" stroke-width="9" fill="none"/>` +
    `<path d="M128 232 H272 M64 214 L96 224 M304 224 L336 214" stroke="${darken(p.colour, 0.18)}" stroke-width="10"/>` +
    (card
      ? `<path d="M200 116 V244" stroke="${darken(p.colour, 0.25)}" stroke-width="3"/>` +
        along(5, 126, 222, (y) => `<circle cx="208" cy="${r1(y)}" r="4" fill="${p.accent}"/>`)
      : '')
  );
};

/** A ribbed beanie with a folded brim and a pompom. */
export const beanie: Draw = (p) =>
  shadow(200, 250, 100) +
  ball(`<circle cx="200" cy="74" r="24" fill="${p.accent}"/>`) +
  `<path d="M116 210 Q110 92 200 90 Q290 92 284 210Z" fill="${p.colour}"/>` +
  along(
    11,
    130,
    270,
    (x) =>
      `<path d="M${r1(x)} 206 Q${r1(200 + (x - 200) * 0.7)} 120 200 94" stroke="${darken(p.colour, 0.15)}" stroke-width="3" fill="none"/>`,
  ) +
  `<path d="M116 210 Q110 92 200 90 Q290 92 284 210Z" fill="url(#ball)"/>` +
  `<rect x="106" y="196" width="188" height="52" rx="10" fill="${darken(p.colour, 0.06)}"/>` +
  along(16, 116, 284, (x) => `<path d="M${r1(x)} 200 V244" stroke="${darken(p.colour, 0.2)}" stroke-width="4"/>`) +
  `<rect x="106" y="196" width="188" height="52" rx="10" fill="url(#fall)"/>`;

/**
 * A scarf hung over a wooden rod, its two fringed tails falling to
 * different lengths; variant "shawl" draws a wide triangular shawl instead.
 */
export const scarf: Draw = (p) => {
  const rod = `<rect x="60" y="58" width="280" height="12" rx="6" fill="#a87b4f"/><circle cx="60" cy="64" r="9" fill="#8c6340"/><circle cx="340" cy="64" r="9" fill="#8c6340"/>`;
  const fringe = (x0: number, x1: number, y: number) =>
    along(
      Math.round((x1 - x0) / 6),
      x0 + 2,
      x1 - 2,
      (x) => `<path d="M${r1(x)} ${y} v16" stroke="${p.colour}" stroke-width="3" stroke-linecap="round"/>`,
    );
  if (p.variant === 'shawl') {
    const d = 'M80 70 H320 L200 236Z';
    return (
      shadow(200, 252, 90) +
      rod +
      cloth({ ...p, variant: 'weave' }, 'sw', d, [80, 66, 240, 172]) +
      `<path d="M80 70 L200 236 L320 70" fill="none" stroke="${p.detail}" stroke-width="5"/>` +
      along(22, 86, 314, (x) => {
        const y = 70 + 166 * (1 - Math.abs(x - 200) / 120);
        return `<path d="M${r1(x)} ${r1(y)} l${x < 200 ? -4 : 4} 16" stroke="${p.colour}" stroke-width="3" stroke-linecap="round"/>`;
      }) +
      `<path d="M80 70 H320" stroke="${darken(p.colour, 0.2)}" stroke-width="3"/>`
    );
  }
  const back = 'M210 64 Q212 58 250 58 Q258 58 256 70 L260 212 H210Z';
  const front = 'M144 64 Q146 56 196 58 Q206 58 204 70 L208 236 H150Z';
  return (
    shadow(204, 254, 80) +
    rod +
    cloth({ ...p, colour: darken(p.colour, 0.1) }, 'sb', back, [206, 56, 56, 160]) +
    fringe(210, 260, 212) +
    cloth(p, 'sf', front, [144, 56, 66, 182]) +
    fringe(150, 208, 236) +
    `<path d="M160 80 Q176 150 168 226 M190 80 Q196 150 192 226" stroke="${darken(p.colour, 0.12)}" stroke-width="2" fill="none"/>` +
    `<path d="M144 64 Q176 50 204 66" stroke="${darken(p.colour, 0.25)}" stroke-width="3" fill="none"/>`
  );
};

/** A printed square scarf (foulard or bandana) folded into a triangle. */
export const foulard: Draw = (p) =>
  shadow(200, 246, 150) +
  cloth(p, 'fo', 'M60 110 H340 L200 246Z', [60, 110, 280, 140]) +
  `<path d="M68 116 H332 L200 236Z" fill="none" stroke="${p.accent}" stroke-width="6"/>` +
  `<path d="M60 110 Q200 90 340 110" stroke="${darken(p.colour, 0.15)}" stroke-width="3" fill="none"/>` +
  `<path d="M160 110 Q200 130 240 110" stroke="${darken(p.colour, 0.2)}" stroke-width="2" fill="none"/>`;

/** A pair of gloves, one overlapping the other. */
export const gloves: Draw = (p) => {
  const glove = (x: number, rot: number, fill: string) =>
    `<g transform="translate(${x} 160) rotate(${rot})">` +
    fall(
      `<path d="M-34 80 V-10 Q-34 -24 -26 -26 V-66 Q-26 -76 -17 -76 Q-9 -76 -9 -66 V-38 V-80 Q-9 -90 0 -90 Q9 -90 9 -80 V-38 V-74 Q9 -84 18 -84 Q27 -84 27 -74 V-30 V-54 Q27 -62 34 -62 Q42 -62 42 -54 V10 Q42 30 34 40 V80Z" fill="${fill}"/>`,
    ) +
    `<path d="M-34 10 Q-54 -6 -58 -30 Q-60 -40 -50 -40 Q-40 -40 -34 -18" fill="${fill}"/>` +
    `<rect x="-36" y="56" width="80" height="28" rx="4" fill="${p.accent}"/>` +
    along(8, -30, 38, (sx) => `<path d="M${r1(sx)} 58 v24" stroke="${darken(p.accent, 0.2)}" stroke-width="3"/>`) +
    '</g>';
  return shadow(200, 250, 130) + glove(160, -12, darken(p.colour, 0.08)) + glove(242, 12, p.colour);
};

/** A pair of knitted socks, ribbed cuffs, heel and toe in the accent colour. */
export const socks: Draw = (p) => {
  const sock = (x: number, y: number, rot: number, fill: string) =>
    `<g transform="translate(${x} ${y}) rotate(${rot})">` +
    `<path d="M-26 -110 H26 V20 Q26 36 44 40 L90 48 Q112 54 108 76 Q104 96 82 94 L-4 88 Q-30 86 -28 58Z" fill="${fill}"/>` +
    `<path d="M-26 -110 H26 V-70 H-26Z" fill="${darken(fill, 0.1)}"/>` +
    along(7, -20, 20, (sx) => `<path d="M${r1(sx)} -106 v34" stroke="${darken(fill, 0.22)}" stroke-width="3"/>`) +
    `<path d="M-28 40 Q-30 86 -4 88 L12 88 Q-4 70 2 40Z" fill="${p.accent}"/>` +
    `<path d="M84 48 L90 48 Q112 54 108 76 Q104 96 82 94 Q92 72 84 48Z" fill="${p.accent}"/>` +
    (p.variant === 'stripes' ? along(3, -50, -14, (sy) => `<rect x="-26" y="${r1(sy)}" width="52" height="7" fill="${p.detail}"/>`) : '') +
    `<path d="M-26 -110 H26 V20 Q26 36 44 40 L90 48 Q112 54 108 76 Q104 96 82 94 L-4 88 Q-30 86 -28 58Z" fill="url(#fall)"/>` +
    '</g>';
  return shadow(200, 250, 130) + sock(136, 150, -6, darken(p.colour, 0.06)) + sock(206, 156, 4, p.colour);
};

/** A poncho: a wide cape with a neck opening and fringes. */
export const poncho: Draw = (p) => {
  // worn shape: rounded shoulders, the front falling to a point, fringed on the lower edges
  const body = 'M166 72 Q104 84 56 150 L200 246 L344 150 Q296 84 234 72Z';
  return (
    shadow(200, 252, 150) +
    cloth(p, 'po', body, [50, 66, 300, 182]) +
    `<path d="M200 86 V246" stroke="${darken(p.colour, 0.1)}" stroke-width="2" stroke-dasharray="4 4"/>` +
    along(
      18,
      60,
      196,
      (x) => `<path d="M${r1(x)} ${r1(152 + (x - 56) * (94 / 144))} l-3 15" stroke="${p.accent}" stroke-width="3" stroke-linecap="round"/>`,
    ) +
    along(
      18,
      204,
      340,
      (x) => `<path d="M${r1(x)} ${r1(246 - (x - 200) * (96 / 144))} l3 15" stroke="${p.accent}" stroke-width="3" stroke-linecap="round"/>`,
    ) +
    // a rolled collar
    cyl(`<rect x="164" y="48" width="72" height="32" rx="9" fill="${darken(p.colour, 0.08)}"/>`) +
    along(7, 172, 228, (x) => `<path d="M${r1(x)} 52 v24" stroke="${darken(p.colour, 0.22)}" stroke-width="2"/>`)
  );
};

/** Folded blankets or linen stacked: throws, bedspreads, baby blankets, towels. */
export const folded: Draw = (p) => {
  const layers = p.label === '2' ? 2 : 3;
  const out: string[] = [shadow(200, 250, 140)];
  for (let i = 0; i < layers; i++) {
    const y = 214 - i * 50;
    const fill = i % 2 ? darken(p.colour, 0.06) : p.colour;
    const d = `M84 ${y} Q80 ${y - 46} 104 ${y - 46} H296 Q320 ${y - 46} 316 ${y} Q320 ${y + 36} 296 ${y + 36} H104 Q80 ${y + 36} 84 ${y}Z`;
    out.push(cloth({ ...p, colour: fill }, `fo${i}`, d, [80, y - 46, 240, 82]));
    out.push(`<path d="M96 ${y - 10} Q200 ${y - 2} 304 ${y - 10}" stroke="${darken(fill, 0.15)}" stroke-width="2" fill="none"/>`);
    if (!p.variant) out.push(`<rect x="84" y="${y + 20}" width="232" height="8" fill="${p.accent}" opacity=".85"/>`);
  }
  if (p.variant === 'fringe')
    out.push(along(24, 100, 300, (x) => `<path d="M${r1(x)} 250 v12" stroke="${p.colour}" stroke-width="3" stroke-linecap="round"/>`));
  return out.join('');
};

/** Felt slippers, a pair seen from above at an angle. */
export const slippers: Draw = (p) => {
  const one = (x: number, rot: number) =>
    `<g transform="translate(${x} 170) rotate(${rot})">` +
    fall(`<path d="M0 -86 Q44 -86 44 -20 Q44 40 36 70 Q30 90 0 90 Q-30 90 -36 70 Q-44 40 -44 -20 Q-44 -86 0 -86Z" fill="${p.colour}"/>`) +
    `<path d="M-40 -20 Q-42 -80 0 -82 Q42 -80 40 -20 Q0 -6 -40 -20Z" fill="${darken(p.colour, 0.15)}"/>` +
    `<path d="M-40 -20 Q0 -6 40 -20" stroke="${p.accent}" stroke-width="6" fill="none"/>` +
    `<ellipse cx="0" cy="40" rx="28" ry="40" fill="${lighten(p.colour, 0.12)}"/>` +
    `<path d="M-44 -20 Q-44 40 -36 70 Q-30 90 0 90 Q30 90 36 70 Q44 40 44 -20" stroke="${p.accent}" stroke-width="3" stroke-dasharray="5 4" fill="none"/>` +
    '</g>';
  return shadow(200, 252, 130) + one(150, -10) + one(252, 10);
};

/** A canvas tote with two handles; variants: "sail" (stripe and rope), "woven", "jute", "felt". */
export const tote: Draw = (p) => {
  const v = p.variant;
  const body = v === 'woven' ? 'M112 110 H288 L276 246 H124Z' : 'M120 110 H280 V246 H120Z';
  const handle =
    v === 'sail'
      ? `stroke="${p.accent}" stroke-width="7"`
      : `stroke="${v === 'woven' ? darken(p.colour, 0.25) : p.accent}" stroke-width="11"`;
  return (
    shadow(200, 250, 110) +
    `<path d="M150 114 Q150 40 180 40 Q198 40 198 114" fill="none" ${handle} stroke-linecap="round"/>` +
    `<path d="M202 114 Q202 40 222 40 Q250 40 250 114" fill="none" ${handle} stroke-linecap="round"/>` +
    cloth({ ...p, variant: v === 'woven' ? 'weave' : v === 'jute' ? 'weave' : '' }, 'to', body, [110, 108, 180, 140]) +
    (v === 'sail'
      ? `<path d="M120 170 L280 140 V162 L120 192Z" fill="${p.detail}"/><circle cx="150" cy="124" r="6" fill="none" stroke="#9aa3a8" stroke-width="3"/><circle cx="250" cy="124" r="6" fill="none" stroke="#9aa3a8" stroke-width="3"/>`
      : '') +
    (v === 'jute'
      ? `<circle cx="200" cy="186" r="28" fill="none" stroke="${p.detail}" stroke-width="4"/>${text(200, 192, p.label, 14, p.detail, 'bold', 50)}`
      : '') +
    (v === '' || v === 'felt'
      ? `<rect x="170" y="160" width="60" height="44" rx="4" fill="none" stroke="${darken(p.colour, 0.22)}" stroke-width="2" stroke-dasharray="5 4"/>${text(200, 188, p.label, 12, darken(p.colour, 0.5), 'bold', 54)}`
      : '') +
    `<path d="M${v === 'woven' ? 112 : 120} 122 H${v === 'woven' ? 288 : 280}" stroke="${darken(p.colour, 0.2)}" stroke-width="3"/>`
  );
};

/** A small silk clutch with a metal clasp. */
export const clutch: Draw = (p) =>
  shadow(200, 240, 130) +
  cloth(
    { ...p, variant: p.variant || 'printed' },
    'cl',
    'M80 130 Q80 110 100 110 H300 Q320 110 320 130 V222 Q320 238 304 238 H96 Q80 238 80 222Z',
    [80, 110, 240, 128],
  ) +
  `<path d="M80 130 Q80 110 100 110 H300 Q320 110 320 130 L200 186Z" fill="${darken(p.colour, 0.1)}"/>` +
  `<path d="M80 130 L200 186 L320 130" stroke="${darken(p.colour, 0.3)}" stroke-width="1.5" fill="none"/>` +
  ball(`<circle cx="200" cy="184" r="10" fill="${p.accent}"/>`) +
  `<path d="M300 118 Q360 150 320 210" stroke="${p.accent}" stroke-width="3" fill="none"/>`;

/** A zipped pouch: pencil case or wash bag ("round"). */
export const pouch: Draw = (p) => {
  const round = p.variant === 'round';
  const body = round
    ? 'M100 130 Q200 100 300 130 Q318 200 290 246 H110 Q82 200 100 130Z'
    : 'M70 150 Q70 132 88 132 H312 Q330 132 330 150 V226 Q330 244 312 244 H88 Q70 244 70 226Z';
  const pencils =
    p.variant === 'pencils'
      ? along(
          4,
          96,
          150,
          (x, i) =>
            `<g transform="rotate(${-14 + i * 5} ${r1(x)} 150)"><rect x="${r1(x - 5)}" y="92" width="10" height="60" fill="${['#e07a5f', '#2f8fb0', '#f2c14e', '#6aa84f'][i]}"/><path d="M${r1(x - 5)} 92 L${r1(x)} 76 L${r1(x + 5)} 92Z" fill="#f1d6a8"/><path d="M${r1(x - 1.5)} 82 L${r1(x)} 76 L${r1(x + 1.5)} 82Z" fill="#333"/></g>`,
        )
      : '';
  return (
    shadow(200, 250, 140) +
    pencils +
    cloth({ ...p, variant: '' }, 'pu', body, [70, 100, 260, 150]) +
    `<path d="${round ? 'M104 138 Q200 110 296 138' : 'M74 150 H326'}" stroke="${darken(p.colour, 0.35)}" stroke-width="6" fill="none"/>` +
    `<path d="${round ? 'M104 138 Q200 110 296 138' : 'M74 150 H326'}" stroke="#c9c9c9" stroke-width="2" stroke-dasharray="2 2" fill="none"/>` +
    `<path d="M${round ? 284 : 300} ${round ? 132 : 150} l8 0 l4 26 q-8 6 -16 0z" fill="#c9c9c9"/>` +
    (p.label
      ? `<rect x="150" y="180" width="100" height="34" rx="3" fill="${p.accent}"/>${text(200, 202, p.label, 12, lighten(p.accent, 0.9), 'bold', 90)}`
      : '')
  );
};

/** A Sardinian saddlebag (bisaccia): two woven pockets joined by a band. */
export const saddlebag: Draw = (p) => {
  const pocket = (x: number, id: string) =>
    cloth({ ...p, variant: 'geometric' }, id, `M${x} 120 H${x + 120} V236 Q${x + 60} 250 ${x} 236Z`, [x, 120, 120, 130]) +
    along(9, x + 6, x + 114, (fx) => `<path d="M${r1(fx)} 240 v12" stroke="${p.accent}" stroke-width="3"/>`);
  return (
    shadow(200, 252, 150) +
    `<path d="M120 120 Q200 40 280 120" stroke="${darken(p.colour, 0.2)}" stroke-width="30" fill="none"/>` +
    pocket(66, 'sa') +
    pocket(214, 'sb')
  );
};

/** A backpack with a flap, straps and a front pocket. */
export const backpack: Draw = (p) =>
  shadow(200, 252, 100) +
  `<path d="M176 70 Q200 46 224 70" stroke="${darken(p.colour, 0.3)}" stroke-width="8" fill="none"/>` +
  cloth(p, 'bp', 'M130 100 Q130 68 170 68 H230 Q270 68 270 100 V240 Q270 250 260 250 H140 Q130 250 130 240Z', [130, 66, 140, 190]) +
  `<path d="M130 100 Q130 68 170 68 H230 Q270 68 270 100 V150 Q200 164 130 150Z" fill="${p.accent}"/>` +
  `<rect x="156" y="178" width="88" height="56" rx="8" fill="${darken(p.colour, 0.1)}"/>` +
  `<path d="M156 190 H244" stroke="${darken(p.colour, 0.35)}" stroke-width="3"/>` +
  `<rect x="192" y="140" width="16" height="22" rx="3" fill="${darken(p.accent, 0.35)}"/>`;

/** A bifold wallet, a card peeking out, stitching around. */
export const wallet: Draw = (p) =>
  shadow(200, 246, 130) +
  `<rect x="130" y="96" width="140" height="30" rx="3" fill="#f2c14e" transform="rotate(-6 200 110)"/>` +
  `<rect x="150" y="94" width="140" height="30" rx="3" fill="#5aa0c8" transform="rotate(4 220 110)"/>` +
  fall(`<rect x="86" y="112" width="228" height="130" rx="12" fill="${p.colour}"/>`) +
  `<rect x="94" y="120" width="212" height="114" rx="8" fill="none" stroke="${p.accent}" stroke-width="2" stroke-dasharray="6 4"/>` +
  `<path d="M86 160 H314" stroke="${darken(p.colour, 0.4)}" stroke-width="2"/>` +
  along(6, 110, 290, (x) => `<path d="M${r1(x)} 196 q10 -6 20 0" stroke="${lighten(p.colour, 0.18)}" stroke-width="3" fill="none"/>`);

/** A belt coiled on itself with its buckle. */
export const belt: Draw = (p) =>
  shadow(200, 250, 140) +
  `<ellipse cx="200" cy="190" rx="120" ry="52" fill="none" stroke="${darken(p.colour, 0.2)}" stroke-width="28"/>` +
  `<ellipse cx="200" cy="180" rx="120" ry="52" fill="none" stroke="${p.colour}" stroke-width="28"/>` +
  `<ellipse cx="200" cy="180" rx="120" ry="52" fill="none" stroke="${lighten(p.colour, 0.2)}" stroke-width="2" stroke-dasharray="10 6"/>` +
  `<path d="M200 180 m-90 30 h90 v28 h-90z" fill="${p.colour}"/>` +
  along(10, 120, 190, (x) => `<path d="M${r1(x)} 214 l6 20" stroke="${darken(p.colour, 0.35)}" stroke-width="3"/>`) +
  `<rect x="186" y="202" width="44" height="44" rx="6" fill="none" stroke="${p.accent}" stroke-width="7"/>` +
  `<path d="M208 206 V242" stroke="${p.accent}" stroke-width="4"/>`;

/** A belt bag: curved pouch on a strap with a clip buckle. */
export const beltBag: Draw = (p) =>
  shadow(200, 250, 140) +
  `<path d="M40 150 Q200 130 360 150" stroke="${p.accent}" stroke-width="14" fill="none"/>` +
  `<rect x="322" y="138" width="26" height="22" rx="4" fill="#3a3a3a"/>` +
  cloth(p, 'bb', 'M110 130 Q200 110 290 130 Q306 180 280 232 Q200 252 120 232 Q94 180 110 130Z', [90, 110, 220, 140]) +
  `<path d="M114 160 Q200 142 286 160" stroke="${darken(p.colour, 0.35)}" stroke-width="5" fill="none"/>` +
  `<path d="M270 156 l8 -2 l4 22 q-8 4 -14 0z" fill="#c9c9c9"/>`;

/** A cylindrical yoga bag with a drawstring, the rolled mat peeking out. */
export const yogaBag: Draw = (p) =>
  shadow(200, 250, 150) +
  `<g transform="rotate(-12 200 180)">` +
  `<ellipse cx="318" cy="160" rx="18" ry="34" fill="${p.detail}"/><ellipse cx="318" cy="160" rx="10" ry="22" fill="${darken(p.detail, 0.2)}"/>` +
  cyl(`<rect x="90" y="126" width="222" height="68" rx="30" fill="${p.colour}"/>`) +
  `<path d="M290 126 V194" stroke="${darken(p.colour, 0.25)}" stroke-width="5"/>` +
  `<path d="M120 196 Q200 260 290 196" stroke="${p.accent}" stroke-width="7" fill="none"/>` +
  '</g>';

/** Beeswax candles: rolled honeycomb pillars and tapers, lit. */
export const candle: Draw = (p) => {
  const flame = (x: number, y: number) =>
    `<path d="M${x} ${y - 30} Q${x + 10} ${y - 12} ${x} ${y} Q${x - 10} ${y - 12} ${x} ${y - 30}Z" fill="#ffb733"/><path d="M${x} ${y - 18} Q${x + 4} ${y - 8} ${x} ${y} Q${x - 4} ${y - 8} ${x} ${y - 18}Z" fill="#fff3c4"/><path d="M${x} ${y} v6" stroke="#3a2a20" stroke-width="2"/>`;
  const comb = (x: number, y: number, w: number, h: number) =>
    along(Math.round(h / 12), y + 6, y + h - 6, (sy, j) =>
      along(
        Math.round(w / 12),
        x + 6 + (j % 2) * 5,
        x + w - 6,
        (sx) =>
          `<path d="M${r1(sx)} ${r1(sy - 5)} l5 3 v5 l-5 3 l-5 -3 v-5z" fill="none" stroke="${darken(p.colour, 0.18)}" stroke-width="1.2"/>`,
      ),
    );
  return (
    shadow(200, 250, 130) +
    `<radialGradient id="halo"><stop offset="0" stop-color="#ffd36b" stop-opacity=".5"/><stop offset="1" stop-color="#ffd36b" stop-opacity="0"/></radialGradient>` +
    `<circle cx="150" cy="100" r="60" fill="url(#halo)"/>` +
    cyl(`<rect x="114" y="110" width="72" height="140" rx="6" fill="${p.colour}"/>`) +
    comb(114, 110, 72, 140) +
    flame(150, 104) +
    cyl(`<rect x="212" y="160" width="64" height="90" rx="6" fill="${darken(p.colour, 0.06)}"/>`) +
    comb(212, 160, 64, 90) +
    flame(244, 154) +
    cyl(`<rect x="292" y="70" width="18" height="180" rx="4" fill="${lighten(p.colour, 0.08)}"/>`) +
    `<path d="M301 70 v-8" stroke="#3a2a20" stroke-width="2"/>` +
    `<ellipse cx="150" cy="112" rx="36" ry="5" fill="${darken(p.colour, 0.12)}"/>`
  );
};

/** A kitchen apron with neck strap, waist ties and a pocket. */
export const apron: Draw = (p) => {
  const body = 'M156 60 H244 V108 Q250 124 290 130 L282 250 H118 L110 130 Q150 124 156 108Z';
  return (
    shadow(200, 254, 100) +
    `<path d="M160 62 Q200 10 240 62" stroke="${p.accent}" stroke-width="7" fill="none"/>` +
    `<path d="M112 132 Q70 150 60 200 M288 132 Q330 150 344 190" stroke="${p.accent}" stroke-width="7" fill="none" stroke-linecap="round"/>` +
    cloth(p, 'ap', body, [110, 56, 180, 200]) +
    `<path d="${body}" fill="none" stroke="${p.accent}" stroke-width="4"/>` +
    `<rect x="150" y="166" width="100" height="50" rx="4" fill="${darken(p.colour, 0.06)}" stroke="${p.accent}" stroke-width="3"/>` +
    `<path d="M200 166 V216" stroke="${p.accent}" stroke-width="2"/>`
  );
};

/** Table linen on a wooden table: "runner", "placemats", "tablecloth" or "doily" (embroidered centrepiece). */
export const tableLinen: Draw = (p) => {
  const table = `<path d="M20 250 L70 120 H330 L380 250Z" fill="#b98a58"/><path d="M20 250 L70 120 H330 L380 250Z" fill="url(#fall)"/><rect x="20" y="250" width="360" height="14" fill="#8c6a45"/>`;
  const out: string[] = [table];
  switch (p.variant) {
    case 'placemats':
      for (const [x, y] of [
        [90, 140],
        [230, 140],
        [70, 192],
        [240, 192],
      ] as const)
        out.push(
          cloth({ ...p, variant: 'stripes' }, `pm${x}${y}`, `M${x + 8} ${y} H${x + 92} L${x + 100} ${y + 42} H${x}Z`, [x, y, 100, 42]),
        );
      out.push(ball(`<ellipse cx="200" cy="180" rx="22" ry="10" fill="#f4f1ea"/>`));
      break;
    case 'doily':
      out.push(
        along(
          20,
          0,
          342,
          (a) =>
            `<ellipse cx="${r1(200 + Math.cos((a * Math.PI) / 180) * 112)}" cy="${r1(184 + Math.sin((a * Math.PI) / 180) * 50)}" rx="16" ry="9" fill="${p.colour}"/>`,
        ) +
          `<ellipse cx="200" cy="184" rx="112" ry="50" fill="${p.colour}"/>` +
          along(
            8,
            0,
            315,
            (a) =>
              `<circle cx="${r1(200 + Math.cos((a * Math.PI) / 180) * 76)}" cy="${r1(184 + Math.sin((a * Math.PI) / 180) * 32)}" r="7" fill="${a % 90 ? p.accent : p.detail}"/>`,
          ) +
          `<circle cx="200" cy="184" r="14" fill="${p.detail}"/>` +
          along(
            6,
            0,
            300,
            (a) =>
              `<ellipse cx="${r1(200 + Math.cos((a * Math.PI) / 180) * 22)}" cy="${r1(184 + Math.sin((a * Math.PI) / 180) * 12)}" rx="8" ry="5" fill="${p.accent}"/>`,
          ),
      );
      break;
    case 'tablecloth':
      out.length = 0;
      out.push(
        cloth({ ...p, variant: 'printed' }, 'tc', 'M20 250 L70 120 H330 L380 250 V272 H20Z', [20, 120, 360, 152]) +
          `<path d="M20 250 H380" stroke="${darken(p.colour, 0.15)}" stroke-width="2"/>` +
          along(4, 40, 360, (x) => `<path d="M${r1(x)} 252 V272" stroke="${darken(p.colour, 0.12)}" stroke-width="2"/>`),
      );
      out.push(ball(`<ellipse cx="200" cy="180" rx="40" ry="14" fill="#f4f1ea"/>`));
      break;
    default:
      out.push(
        cloth(
          { ...p, variant: p.variant === 'runner-stripes' ? 'stripes' : 'bands' },
          'rn',
          'M170 120 H230 L250 250 H150Z',
          [150, 120, 100, 130],
        ) + along(7, 152, 248, (x) => `<path d="M${r1(x)} 250 v12" stroke="${p.colour}" stroke-width="3"/>`),
      );
      out.push(ball(`<path d="M250 170 Q250 140 270 136 V124 H282 V136 Q302 140 302 170Z" fill="${p.accent}"/>`));
  }
  return out.join('');
};

/** A square cushion, plumped; variant names the cloth ("patchwork", "geometric", "cable"). */
export const cushion: Draw = (p) =>
  shadow(200, 250, 130) +
  cloth(p, 'cu', 'M92 88 Q200 72 308 88 Q296 160 308 236 Q200 252 92 236 Q104 160 92 88Z', [88, 72, 224, 180]) +
  `<path d="M92 88 Q200 72 308 88 Q296 160 308 236 Q200 252 92 236 Q104 160 92 88Z" fill="url(#ball)"/>` +
  `<path d="M92 88 Q200 72 308 88 Q296 160 308 236 Q200 252 92 236 Q104 160 92 88Z" fill="none" stroke="${p.accent}" stroke-width="4"/>`;

/** A rug lying on the floor in perspective, fringed. */
export const rug: Draw = (p) =>
  cloth(p, 'rg', 'M70 110 H330 L370 240 H30Z', [30, 110, 340, 130]) +
  `<path d="M70 110 H330 L370 240 H30Z" fill="none" stroke="${p.accent}" stroke-width="8"/>` +
  along(30, 34, 366, (x) => `<path d="M${r1(x)} 244 v14" stroke="${lighten(p.colour, 0.3)}" stroke-width="3" stroke-linecap="round"/>`) +
  along(22, 74, 326, (x) => `<path d="M${r1(x)} 106 v-10" stroke="${lighten(p.colour, 0.3)}" stroke-width="3" stroke-linecap="round"/>`);

/** Balls of yarn with a loose thread, and knitting needles. */
export const yarn: Draw = (p) => {
  const cs = [p.colour, p.accent, p.detail];
  const ballOf = (x: number, y: number, r: number, c: string) =>
    ball(`<circle cx="${x}" cy="${y}" r="${r}" fill="${c}"/>`) +
    along(
      6,
      -50,
      50,
      (a) =>
        `<ellipse cx="${x}" cy="${y}" rx="${r - 3}" ry="${r1(r * 0.35)}" fill="none" stroke="${darken(c, 0.18)}" stroke-width="2" transform="rotate(${r1(a)} ${x} ${y})"/>`,
    );
  return (
    shadow(200, 250, 150) +
    `<path d="M160 130 L300 60 M172 138 L310 72" stroke="#b98a58" stroke-width="5" stroke-linecap="round"/>` +
    ballOf(140, 196, 52, cs[0]!) +
    ballOf(262, 200, 48, cs[1]!) +
    ballOf(200, 158, 42, cs[2]!) +
    `<path d="M300 224 Q330 250 360 232" stroke="${cs[1]}" stroke-width="3" fill="none"/>`
  );
};

/** A decorated majolica plate seen from above at an angle; variant "stack" for a set. */
export const plate: Draw = (p) => {
  const one = (y: number) =>
    `<ellipse cx="200" cy="${y + 6}" rx="140" ry="62" fill="${darken(p.colour, 0.12)}"/>` +
    `<ellipse cx="200" cy="${y}" rx="140" ry="62" fill="${p.colour}"/>` +
    `<ellipse cx="200" cy="${y}" rx="92" ry="40" fill="${darken(p.colour, 0.05)}"/>`;
  const stack = p.variant === 'stack';
  const deco =
    along(16, 0, 337.5, (a, i) => {
      const x = 200 + Math.cos((a * Math.PI) / 180) * 116;
      const y = 150 + Math.sin((a * Math.PI) / 180) * 51;
      return i % 2
        ? `<circle cx="${r1(x)}" cy="${r1(y)}" r="5" fill="${p.detail}"/>`
        : `<ellipse cx="${r1(x)}" cy="${r1(y)}" rx="11" ry="6" fill="${p.accent}" transform="rotate(${r1(a + 90)} ${r1(x)} ${r1(y)})"/>`;
    }) +
    (stack
      ? ''
      : along(
          6,
          0,
          300,
          (a) =>
            `<ellipse cx="${r1(200 + Math.cos((a * Math.PI) / 180) * 40)}" cy="${r1(150 + Math.sin((a * Math.PI) / 180) * 18)}" rx="22" ry="9" fill="${p.accent}" transform="rotate(${a} ${r1(200 + Math.cos((a * Math.PI) / 180) * 40)} ${r1(150 + Math.sin((a * Math.PI) / 180) * 18)})"/>`,
        ) + `<circle cx="200" cy="150" r="12" fill="${p.detail}"/>`) +
    `<ellipse cx="200" cy="150" rx="100" ry="44" fill="none" stroke="${p.accent}" stroke-width="2"/>`;
  return shadow(200, 232, 160, 26) + (stack ? one(196) + one(182) + one(166) : '') + one(150) + deco;
};

/** A mug with a handle and a painted band. */
export const mug: Draw = (p) =>
  shadow(190, 250, 90) +
  `<path d="M250 130 Q300 130 300 172 Q300 214 250 214" stroke="${p.colour}" stroke-width="18" fill="none"/>` +
  cyl(`<path d="M120 96 H260 V234 Q260 252 240 252 H140 Q120 252 120 234Z" fill="${p.colour}"/>`) +
  `<ellipse cx="190" cy="96" rx="70" ry="14" fill="${darken(p.colour, 0.2)}"/>` +
  `<ellipse cx="190" cy="99" rx="64" ry="10" fill="#6b4226"/>` +
  `<rect x="120" y="150" width="140" height="40" fill="${p.accent}"/>` +
  along(6, 134, 246, (x) => `<circle cx="${r1(x)}" cy="170" r="6" fill="${p.detail}"/>`) +
  `<rect x="120" y="150" width="140" height="40" fill="url(#cyl)"/>`;

/** A wide bowl, glazed and painted inside and out; in wood with variant "wood". */
export const bowl: Draw = (p) => {
  const wood = p.variant === 'wood';
  return (
    shadow(200, 250, 150) +
    `<ellipse cx="200" cy="130" rx="150" ry="40" fill="${darken(p.colour, 0.18)}"/>` +
    `<ellipse cx="200" cy="136" rx="132" ry="30" fill="${wood ? darken(p.colour, 0.08) : lighten(p.colour, 0.5)}"/>` +
    (p.variant === 'salad'
      ? along(9, 110, 290, (x, i) => `<path d="M${r1(x - 16)} 140 q16 -30 32 0z" fill="${i % 2 ? '#5d9a3a' : '#8cbf4a'}"/>`)
      : '') +
    cyl(`<path d="M50 130 Q50 246 200 248 Q350 246 350 130 Q200 172 50 130Z" fill="${p.colour}"/>`) +
    (wood
      ? along(
          5,
          150,
          230,
          (y) =>
            `<path d="M${r1(60 + (y - 130) * 0.5)} ${r1(y)} Q200 ${r1(y + 26)} ${r1(340 - (y - 130) * 0.5)} ${r1(y)}" stroke="${darken(p.colour, 0.15)}" stroke-width="2" fill="none"/>`,
        )
      : `<path d="M64 170 Q200 206 336 170" stroke="${p.accent}" stroke-width="12" fill="none"/>` +
        along(9, 90, 310, (x) => `<circle cx="${r1(x)}" cy="${r1(212 - 30 * ((x - 200) / 140) ** 2)}" r="5" fill="${p.detail}"/>`))
  );
};

/** An amphora vase with two handles and a painted band. */
export const vase: Draw = (p) =>
  shadow(200, 252, 70) +
  `<path d="M168 78 Q130 80 136 122 M232 78 Q270 80 264 122" stroke="${p.colour}" stroke-width="10" fill="none"/>` +
  cyl(
    `<path d="M176 60 H224 V84 Q280 110 276 170 Q272 222 232 244 V252 H168 V244 Q128 222 124 170 Q120 110 176 84Z" fill="${p.colour}"/>`,
  ) +
  `<ellipse cx="200" cy="60" rx="26" ry="6" fill="${darken(p.colour, 0.3)}"/>` +
  `<path d="M128 150 Q200 166 272 150 V176 Q200 192 128 176Z" fill="${p.accent}"/>` +
  along(7, 140, 260, (x) => `<path d="M${r1(x)} 160 l8 8 l-8 8 l-8 -8z" fill="${p.detail}"/>`);

/** An egg cup holding an egg, a second egg beside it. */
export const eggCup: Draw = (p) =>
  shadow(200, 250, 100) +
  ball(`<ellipse cx="200" cy="112" rx="36" ry="46" fill="#f3e6d2"/>`) +
  cyl(`<path d="M150 130 Q150 190 190 196 V226 Q160 232 156 250 H244 Q240 232 210 226 V196 Q250 190 250 130Z" fill="${p.colour}"/>`) +
  `<path d="M150 140 Q200 160 250 140" stroke="${p.accent}" stroke-width="8" fill="none"/>` +
  along(5, 166, 234, (x) => `<circle cx="${r1(x)}" cy="168" r="4" fill="${p.detail}"/>`) +
  ball(`<ellipse cx="290" cy="230" rx="30" ry="22" fill="#f3e6d2"/>`);

/** A ceramic oil cruet with a spout. */
export const cruet: Draw = (p) =>
  shadow(200, 250, 80) +
  `<path d="M210 80 L262 50 L268 58 L216 98Z" fill="${darken(p.colour, 0.06)}"/>` +
  `<path d="M176 100 Q150 108 150 150" stroke="${p.colour}" stroke-width="10" fill="none"/>` +
  cyl(`<path d="M184 72 H216 V104 Q262 124 262 180 Q262 248 200 250 Q138 248 138 180 Q138 124 184 104Z" fill="${p.colour}"/>`) +
  `<ellipse cx="200" cy="72" rx="20" ry="5" fill="${darken(p.colour, 0.3)}"/>` +
  `<path d="M150 190 Q200 208 250 190" stroke="${p.accent}" stroke-width="8" fill="none"/>` +
  along(3, 176, 224, (x) => `<path d="M${r1(x)} 150 q-10 -14 0 -24 q10 10 0 24z" fill="${p.detail}"/>`) +
  ball(`<ellipse cx="300" cy="236" rx="12" ry="9" fill="#5d6b1e"/>`);

/** A majolica house-number tile hung on a wall. */
export const tile: Draw = (p) =>
  shadow(200, 250, 100) +
  `<rect x="110" y="50" width="180" height="180" rx="6" fill="${darken(p.colour, 0.2)}" transform="translate(6 8)"/>` +
  fall(`<rect x="110" y="50" width="180" height="180" rx="6" fill="${p.colour}"/>`) +
  `<rect x="124" y="64" width="152" height="152" rx="4" fill="none" stroke="${p.accent}" stroke-width="6"/>` +
  along(
    4,
    0,
    3,
    (_, i) => `<path d="M${[132, 268, 132, 268][i]} ${[72, 72, 208, 208][i]} m-6 0 q6 -10 12 0 q-6 10 -12 0z" fill="${p.detail}"/>`,
  ) +
  text(200, 172, p.label, 72, p.accent, 'bold', 140);

/** A chopping board with a handle hole and wood grain, a knife or herbs on it. */
export const board: Draw = (p) => {
  const grain = p.variant === 'olive' ? 'swirl' : 'straight';
  return (
    shadow(200, 246, 170) +
    `<path d="M50 150 Q50 120 80 120 H290 Q300 100 330 100 Q360 100 360 130 Q360 160 330 160 L320 222 Q320 240 300 240 H80 Q50 240 50 210Z" fill="${darken(p.colour, 0.18)}" transform="translate(0 8)"/>` +
    fall(
      `<path d="M50 150 Q50 120 80 120 H290 Q300 100 330 100 Q360 100 360 130 Q360 160 330 160 L320 222 Q320 240 300 240 H80 Q50 240 50 210Z" fill="${p.colour}"/>`,
    ) +
    `<circle cx="330" cy="130" r="10" fill="${darken(p.colour, 0.35)}"/>` +
    (grain === 'swirl'
      ? Array.from(
          { length: 7 },
          (_, i) =>
            `<ellipse cx="${r1(150 + p.rand() * 110)}" cy="${r1(160 + p.rand() * 50)}" rx="${20 + i * 4}" ry="${8 + i}" fill="none" stroke="${darken(p.colour, 0.2)}" stroke-width="2" opacity=".6"/>`,
        ).join('')
      : along(
          6,
          134,
          228,
          (y) =>
            `<path d="M60 ${r1(y)} Q180 ${r1(y - 8)} 310 ${r1(y + 2)}" stroke="${darken(p.colour, 0.18)}" stroke-width="2" fill="none" opacity=".6"/>`,
        )) +
    `<path d="M90 130 L230 104" stroke="#9aa3a8" stroke-width="12" stroke-linecap="round"/><path d="M230 104 L280 94" stroke="#3a2a20" stroke-width="12" stroke-linecap="round"/>`
  );
};

/** Wooden spoons fanned out; variant "ladle" draws deep ladles. */
export const spoons: Draw = (p) => {
  const ladle = p.variant === 'ladle';
  if (ladle) {
    // seen from above, fanned on the table: deep round bowls, long handles ending in a hook
    const one = (x: number, rot: number, fill: string) =>
      `<g transform="translate(${x} 160) rotate(${rot})">` +
      cyl(`<rect x="-6" y="-40" width="12" height="126" rx="6" fill="${fill}"/>`) +
      `<path d="M0 84 q0 14 -10 14 q-8 0 -8 -8" stroke="${fill}" stroke-width="9" fill="none" stroke-linecap="round"/>` +
      ball(`<circle cx="0" cy="-68" r="34" fill="${fill}"/>`) +
      `<circle cx="0" cy="-66" r="26" fill="${darken(fill, 0.28)}"/>` +
      `<path d="M-24 -56 A26 26 0 0 0 24 -56 A30 22 0 0 1 -24 -56Z" fill="${darken(fill, 0.12)}"/>` +
      '</g>';
    return shadow(200, 252, 130) + one(142, -24, darken(p.colour, 0.08)) + one(200, 0, p.colour) + one(258, 24, lighten(p.colour, 0.08));
  }
  const one = (x: number, rot: number, fill: string) =>
    `<g transform="translate(${x} 150) rotate(${rot})">` +
    cyl(`<rect x="-7" y="-30" width="14" height="140" rx="7" fill="${fill}"/>`) +
    ball(`<ellipse cx="0" cy="-62" rx="26" ry="40" fill="${fill}"/>`) +
    `<ellipse cx="0" cy="-64" rx="18" ry="31" fill="${darken(fill, 0.15)}"/>` +
    `<ellipse cx="-6" cy="-72" rx="6" ry="12" fill="#fff" opacity=".2"/>` +
    '</g>';
  return shadow(200, 252, 120) + one(150, -22, darken(p.colour, 0.08)) + one(200, 0, p.colour) + one(250, 22, lighten(p.colour, 0.08));
};

/** A woven basket; variant "light" for pale fibre with a dark pattern. */
export const basket: Draw = (p) =>
  shadow(200, 250, 140) +
  `<path d="M110 130 Q110 40 200 40 Q290 40 290 130" stroke="${darken(p.colour, 0.12)}" stroke-width="12" fill="none"/>` +
  `<ellipse cx="200" cy="130" rx="130" ry="28" fill="${darken(p.colour, 0.3)}"/>` +
  cloth(
    { ...p, variant: 'weave', detail: lighten(p.colour, 0.2) },
    'bk',
    'M70 130 Q200 160 330 130 L300 240 Q200 262 100 240Z',
    [70, 120, 260, 140],
  ) +
  (p.variant === 'light'
    ? `<path d="M84 180 Q200 206 316 180 L312 196 Q200 222 88 196Z" fill="${p.accent}"/>` +
      along(
        7,
        110,
        290,
        (x) =>
          `<path d="M${r1(x)} 196 l10 -14 l10 14z" fill="${p.accent}" transform="translate(-10 ${r1(6 - 8 * ((x - 200) / 120) ** 2)})"/>`,
      )
    : '') +
  `<ellipse cx="200" cy="130" rx="130" ry="28" fill="none" stroke="${darken(p.colour, 0.1)}" stroke-width="10"/>`;

/** A wall key rack: a carved board with hooks and a couple of keys. */
export const keyRack: Draw = (p) =>
  `<rect x="0" y="0" width="400" height="240" fill="#000" opacity=".03"/>` +
  `<rect x="70" y="90" width="260" height="70" rx="12" fill="${darken(p.colour, 0.25)}" transform="translate(5 6)"/>` +
  fall(`<rect x="70" y="90" width="260" height="70" rx="12" fill="${p.colour}"/>`) +
  `<path d="M96 112 q20 -14 40 0 q20 14 40 0 q20 -14 40 0 q20 14 40 0 q20 -14 40 0" stroke="${darken(p.colour, 0.25)}" stroke-width="3" fill="none"/>` +
  along(
    5,
    100,
    300,
    (x) =>
      `<circle cx="${r1(x)}" cy="140" r="5" fill="${p.accent}"/><path d="M${r1(x)} 140 v20 q0 8 8 8" stroke="${p.accent}" stroke-width="5" fill="none" stroke-linecap="round"/>`,
  ) +
  `<g transform="translate(158 168)"><circle r="10" fill="none" stroke="#c9a13a" stroke-width="4"/><path d="M0 10 V60 M0 44 h8 M0 54 h10" stroke="#c9a13a" stroke-width="5"/></g>` +
  `<g transform="translate(258 168) rotate(8)"><circle r="10" fill="none" stroke="#9aa3a8" stroke-width="4"/><path d="M0 10 V52 M0 38 h8 M0 48 h8" stroke="#9aa3a8" stroke-width="5"/></g>`;

/** A three-legged stool. */
export const stool: Draw = (p) =>
  shadow(200, 252, 120) +
  `<path d="M150 150 L110 250 M250 150 L290 250 M200 160 L206 244" stroke="${darken(p.colour, 0.15)}" stroke-width="14" stroke-linecap="round"/>` +
  `<path d="M130 210 H270" stroke="${darken(p.colour, 0.25)}" stroke-width="8" stroke-linecap="round"/>` +
  `<ellipse cx="200" cy="148" rx="104" ry="20" fill="${darken(p.colour, 0.2)}"/>` +
  `<ellipse cx="200" cy="138" rx="104" ry="26" fill="${p.colour}"/>` +
  along(
    4,
    0,
    3,
    (_, i) =>
      `<ellipse cx="200" cy="138" rx="${20 + i * 22}" ry="${r1(5 + i * 5.5)}" fill="none" stroke="${darken(p.colour, 0.15)}" stroke-width="1.5"/>`,
  );

/** A wooden tray puzzle with coloured shapes, one piece lifted out. */
export const puzzle: Draw = (p) => {
  const cs = p.detail.split(',');
  return (
    shadow(200, 246, 160) +
    `<path d="M70 110 H330 L350 230 H50Z" fill="${darken(p.colour, 0.2)}" transform="translate(0 10)"/>` +
    fall(`<path d="M70 110 H330 L350 230 H50Z" fill="${p.colour}"/>`) +
    `<circle cx="120" cy="170" r="30" fill="${darken(p.colour, 0.3)}"/>` +
    `<path d="M190 136 L220 196 H160Z" fill="${cs[1]}"/>` +
    `<rect x="250" y="140" width="56" height="56" fill="${cs[2]}"/>` +
    `<path d="M140 200 h40 v30 h-40z" fill="${cs[3] ?? cs[0]}"/>` +
    ball(`<circle cx="110" cy="110" r="30" fill="${cs[0]}"/>`) +
    `<circle cx="110" cy="96" r="5" fill="${darken(p.colour, 0.3)}"/>`
  );
};

/** A mortar and pestle. */
export const mortar: Draw = (p) =>
  shadow(200, 252, 100) +
  `<g transform="rotate(28 240 120)">${cyl(`<rect x="228" y="40" width="26" height="130" rx="13" fill="${lighten(p.colour, 0.08)}"/>`)}</g>` +
  `<ellipse cx="200" cy="130" rx="90" ry="24" fill="${darken(p.colour, 0.35)}"/>` +
  cyl(`<path d="M110 130 Q110 212 156 226 V246 H244 V226 Q290 212 290 130 Q200 160 110 130Z" fill="${p.colour}"/>`) +
  Array.from(
    { length: 5 },
    (_, i) =>
      `<path d="M${r1(136 + i * 8 + p.rand() * 20)} ${r1(152 + i * 12)} q${r1(60 - i * 8)} -6 ${r1(110 - i * 16)} 0" stroke="${darken(p.colour, 0.22)}" stroke-width="2" fill="none" opacity=".6"/>`,
  ).join('') +
  `<ellipse cx="200" cy="130" rx="90" ry="24" fill="none" stroke="${lighten(p.colour, 0.1)}" stroke-width="6"/>`;

/** A carved picture frame with a small landscape in it. */
export const frame: Draw = (p) =>
  shadow(200, 252, 100) +
  `<rect x="106" y="46" width="188" height="206" rx="4" fill="${darken(p.colour, 0.3)}" transform="translate(6 4)"/>` +
  fall(`<rect x="106" y="46" width="188" height="206" rx="4" fill="${p.colour}"/>`) +
  `<rect x="134" y="74" width="132" height="150" fill="${p.accent}"/>` +
  `<path d="M134 190 Q180 150 220 180 T266 170 V224 H134Z" fill="#7fa35a"/><circle cx="236" cy="110" r="14" fill="#f2c14e"/>` +
  `<rect x="134" y="74" width="132" height="150" fill="none" stroke="${darken(p.colour, 0.35)}" stroke-width="4"/>` +
  `<rect x="112" y="52" width="176" height="194" rx="2" fill="none" stroke="${lighten(p.colour, 0.15)}" stroke-width="2"/>`;
