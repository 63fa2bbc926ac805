import { along, ball, cyl, darken, lighten, r1, shadow, text, type Draw, type Paint } from './kit';

/**
 * Vegetables, fruit, nuts, pasta, pulses and flour: the fresh half of the
 * food drawings, mostly piles of round things lit from the upper left.
 */

const LEAF = '#4f8a3a';

const leaf = (x: number, y: number, angle: number, len: number, fill = LEAF) =>
  `<path d="M0 0 Q${r1(len * 0.5)} ${r1(-len * 0.32)} ${len} 0 Q${r1(len * 0.5)} ${r1(len * 0.32)} 0 0Z" fill="${fill}" transform="translate(${r1(x)} ${r1(y)}) rotate(${angle})"/>` +
  `<path d="M0 0 H${r1(len * 0.9)}" stroke="${darken(fill, 0.25)}" stroke-width="1.2" transform="translate(${r1(x)} ${r1(y)}) rotate(${angle})"/>`;

/**
 * `n` spots of a heap resting on the table (y = 240): a dome highest in the
 * middle, sorted back to front so nearer pieces are drawn over farther ones.
 */
function heap(p: Paint, n: number, halfWidth = 100, height = 64): { x: number; y: number; rot: number }[] {
  return Array.from({ length: n }, () => {
    const u = p.rand() * 2 - 1;
    const x = 200 + u * halfWidth;
    const top = 8 + height * (1 - u * u);
    return { x: r1(x), y: r1(236 - Math.sqrt(p.rand()) * top), rot: Math.round(p.rand() * 360) };
  }).sort((a, b) => a.y - b.y);
}

/** Round fruits in a pile: [x, y, r] from back to front. */
const PILE: [number, number, number][] = [
  [160, 170, 42],
  [240, 168, 42],
  [200, 160, 40],
  [130, 212, 40],
  [200, 214, 42],
  [270, 212, 40],
];

/** Red tomatoes on the vine; "oxheart" draws big ribbed ones. */
export const tomatoes: Draw = (p) => {
  const ox = p.variant === 'oxheart';
  const items: [number, number, number][] = ox
    ? [
        [150, 190, 56],
        [258, 192, 54],
        [204, 208, 50],
      ]
    : [
        [160, 196, 40],
        [240, 196, 40],
        [200, 212, 42],
      ];
  return (
    shadow(200, 250, 140) +
    items
      .map(
        ([x, y, r]) =>
          ball(`<ellipse cx="${x}" cy="${y}" rx="${r}" ry="${r1(r * (ox ? 0.82 : 0.92))}" fill="${p.colour}"/>`) +
          (ox
            ? `<path d="M${x - r * 0.5} ${y - r * 0.6} Q${x - r * 0.6} ${y} ${x - r * 0.35} ${y + r * 0.6} M${x + r * 0.5} ${y - r * 0.6} Q${x + r * 0.6} ${y} ${x + r * 0.35} ${y + r * 0.6} M${x} ${y - r * 0.75} V${y + r * 0.7}" stroke="${darken(p.colour, 0.25)}" stroke-width="2" fill="none" opacity=".6"/>`
            : '') +
          `<path d="M${x} ${r1(y - r * 0.8)} l-14 -2 l8 6 l-10 6 l12 -2 l4 8 l4 -8 l12 2 l-10 -6 l8 -6z" fill="${LEAF}"/>`,
      )
      .join('') +
    (ox ? '' : `<path d="M160 160 Q200 120 240 160 M200 170 V128" stroke="${LEAF}" stroke-width="4" fill="none"/>`)
  );
};

/** Globe artichokes: layered bracts on a short stem. */
export const artichoke: Draw = (p) => {
  const one = (x: number, y: number, s: number) => {
    const rows = [
      [0, 58, 28],
      [-26, 44, 24],
      [26, 44, 24],
      [-14, 28, 20],
      [14, 28, 20],
      [0, 10, 18],
    ] as const;
    return (
      `<rect x="${x - 7 * s}" y="${y + 40 * s}" width="${14 * s}" height="${34 * s}" rx="4" fill="${darken(p.accent, 0.1)}"/>` +
      rows
        .map(([dx, dy, r], i) =>
          ball(
            `<path d="M${r1(x + dx * s - r * s)} ${r1(y + dy * s)} Q${r1(x + dx * s)} ${r1(y + dy * s - r * 2.4 * s)} ${r1(x + dx * s + r * s)} ${r1(y + dy * s)} Q${r1(x + dx * s)} ${r1(y + dy * s + r * 0.7 * s)} ${r1(x + dx * s - r * s)} ${r1(y + dy * s)}Z" fill="${i % 2 ? p.colour : darken(p.colour, 0.12)}"/>`,
          ),
        )
        .join('') +
      `<path d="M${x - 20 * s} ${y + 18 * s} q${20 * s} ${-12 * s} ${40 * s} 0" stroke="${p.accent}" stroke-width="3" fill="none"/>`
    );
  };
  return shadow(200, 248, 130) + one(150, 130, 1.05) + one(252, 142, 0.95) + leaf(90, 240, -20, 70, p.accent);
};

/** A leafy bunch: turnip tops ("rapa", with florets), kale ("kale"), herbs ("herbs") or salad in a bowl ("salad"). */
export const greens: Draw = (p) => {
  if (p.variant === 'salad') {
    const leaves = Array.from({ length: 22 }, (_, i) => {
      const x = 120 + p.rand() * 160;
      const y = 130 + p.rand() * 50;
      const c = p.detail.split(',')[i % 3] ?? p.colour;
      return `<path d="M${r1(x - 22)} ${r1(y + 10)} q4 -30 22 -34 q18 4 22 34 q-22 12 -44 0z" fill="${c}" transform="rotate(${Math.round(p.rand() * 80 - 40)} ${r1(x)} ${r1(y)})"/>`;
    }).join('');
    return (
      shadow(200, 250, 120) +
      leaves +
      cyl(`<path d="M100 180 Q108 250 200 250 Q292 250 300 180Z" fill="${p.accent}"/>`) +
      `<ellipse cx="200" cy="180" rx="100" ry="10" fill="${darken(p.accent, 0.15)}"/>`
    );
  }
  const stems = p.variant === 'herbs' ? 9 : p.variant === 'kale' ? 6 : 7;
  const out: string[] = [shadow(200, 250, 120)];
  for (let i = 0; i < stems; i++) {
    const a = -60 + (120 * i) / (stems - 1) + (p.rand() * 10 - 5);
    const len = p.variant === 'herbs' ? 70 + p.rand() * 30 : 110 + p.rand() * 40;
    const rad = (a - 90) * (Math.PI / 180);
    const tx = 200 + Math.cos(rad) * len;
    const ty = 236 + Math.sin(rad) * len;
    out.push(`<path d="M200 236 L${r1(tx)} ${r1(ty)}" stroke="${lighten(p.colour, 0.3)}" stroke-width="4"/>`);
    if (p.variant === 'kale') {
      // long leaves with rounded tips, a pale rib and blistered (savoyed) texture
      const t = `translate(${r1(200 + Math.cos(rad) * 20)} ${r1(236 + Math.sin(rad) * 20)}) rotate(${r1(a - 90)})`;
      const L = r1(len);
      const fill = i % 2 ? p.colour : darken(p.colour, 0.15);
      out.push(
        `<path d="M0 -3 C${r1(L * 0.3)} -24 ${r1(L * 0.85)} -26 ${L} -8 Q${r1(L + 10)} 0 ${L} 8 C${r1(L * 0.85)} 26 ${r1(L * 0.3)} 24 0 3Z" fill="${fill}" transform="${t}"/>` +
          along(
            7,
            L * 0.22,
            L * 0.92,
            (bx, j) =>
              `<path d="M${r1(bx)} -15 q5 6 0 12 M${r1(bx + 4)} 3 q5 6 0 12" stroke="${lighten(fill, 0.18)}" stroke-width="2.5" fill="none" opacity="${j % 2 ? 0.8 : 0.6}"/>`,
          ).replace(/<path /g, `<path transform="${t}" `) +
          `<path d="M0 0 H${r1(L * 0.96)}" stroke="${lighten(p.colour, 0.5)}" stroke-width="3.5" transform="${t}"/>`,
      );
    } else if (p.variant === 'herbs') {
      for (let j = 0; j < 4; j++) {
        const t = 0.45 + j * 0.17;
        out.push(
          leaf(
            200 + Math.cos(rad) * len * t,
            236 + Math.sin(rad) * len * t,
            a - 90 + (j % 2 ? 40 : -40),
            20,
            i % 3 === 0 ? darken(p.colour, 0.2) : p.colour,
          ),
        );
      }
    } else {
      out.push(
        leaf(
          200 + Math.cos(rad) * 40,
          236 + Math.sin(rad) * 40,
          a - 90 + (i % 2 ? 14 : -14),
          len * 0.75,
          i % 2 ? p.colour : darken(p.colour, 0.12),
        ),
      );
      if (p.variant === 'rapa')
        out.push(
          along(
            3,
            0,
            2,
            (_, j) =>
              `<circle cx="${r1(tx + (j - 1) * 6)}" cy="${r1(ty - 4 + (j % 2) * 5)}" r="5" fill="${j % 2 ? p.accent : darken(p.accent, 0.1)}"/>`,
          ),
        );
    }
  }
  out.push(`<path d="M188 222 Q200 230 212 222 L214 236 H186Z" fill="${p.detail}"/>`);
  return out.join('');
};

/** A pile of potatoes with their eyes. */
export const potatoes: Draw = (p) =>
  shadow(200, 250, 150) +
  PILE.map(([x, y, r], i) => {
    const rx = r * 1.15;
    return (
      ball(
        `<ellipse cx="${x}" cy="${y + 6}" rx="${r1(rx)}" ry="${r1(r * 0.8)}" fill="${i % 2 ? p.colour : darken(p.colour, 0.08)}" transform="rotate(${((i * 17) % 30) - 15} ${x} ${y})"/>`,
      ) +
      `<circle cx="${x - 12}" cy="${y}" r="2" fill="${darken(p.colour, 0.35)}"/><circle cx="${x + 14}" cy="${y + 12}" r="2" fill="${darken(p.colour, 0.35)}"/><circle cx="${x + 4}" cy="${y - 10}" r="1.6" fill="${darken(p.colour, 0.35)}"/>`
    );
  }).join('');

/** A butternut squash, whole and a halved one showing its seeds. */
export const squash: Draw = (p) =>
  shadow(200, 248, 150) +
  ball(
    `<path d="M70 196 Q70 176 100 172 Q140 170 170 160 Q190 150 222 156 Q262 164 262 204 Q262 244 222 246 Q190 248 170 236 Q140 222 100 220 Q70 218 70 196Z" fill="${p.colour}"/>`,
  ) +
  `<path d="M62 194 q-8 -6 -4 -14" stroke="#6b5a2b" stroke-width="6" stroke-linecap="round" fill="none"/>` +
  `<path d="M282 176 Q282 150 306 150 Q332 150 334 176 Q350 198 338 228 Q322 250 302 248 Q272 246 268 222 Q262 198 282 176Z" fill="${p.accent}"/>` +
  `<ellipse cx="304" cy="214" rx="22" ry="24" fill="${darken(p.accent, 0.12)}"/>` +
  along(5, 292, 316, (x, i) => `<ellipse cx="${r1(x)}" cy="${206 + (i % 2) * 14}" rx="3" ry="5" fill="#f6ead0"/>`);

/** Radicchio tardivo: long white ribs with curling red tips. */
export const radicchio: Draw = (p) => {
  const out: string[] = [shadow(200, 250, 110)];
  for (let i = 0; i < 9; i++) {
    const a = -40 + i * 10;
    out.push(
      `<g transform="rotate(${a} 200 240)"><path d="M196 240 Q190 150 196 80 Q200 64 206 80 Q212 150 204 240Z" fill="${p.colour}"/>` +
        `<path d="M200 236 Q199 160 201 96" stroke="#fbf6ef" stroke-width="7" stroke-linecap="round"/>` +
        `<path d="M206 82 q10 -6 8 -18" stroke="${p.colour}" stroke-width="6" fill="none" stroke-linecap="round"/></g>`,
    );
  }
  out.push(`<path d="M184 238 Q200 226 216 238 Q200 252 184 238Z" fill="#e9e0cf"/>`);
  return out.join('');
};

/** Courgettes, one with its yellow flower. */
export const courgettes: Draw = (p) => {
  const one = (y: number, rot: number, flower: boolean) =>
    `<g transform="rotate(${rot} 200 ${y})">` +
    cyl(`<rect x="96" y="${y - 18}" width="200" height="36" rx="18" fill="${p.colour}"/>`) +
    along(6, 116, 276, (x) => `<circle cx="${r1(x)}" cy="${y - 6}" r="2" fill="${lighten(p.colour, 0.35)}"/>`) +
    `<rect x="84" y="${y - 6}" width="16" height="12" rx="3" fill="${darken(p.colour, 0.2)}"/>` +
    (flower
      ? `<path d="M292 ${y} l40 -26 q10 12 2 22 q14 4 12 18 q-12 6 -22 -2 q-6 14 -20 12z" fill="${p.accent}"/><path d="M292 ${y} l30 -8 M292 ${y} l32 6" stroke="${darken(p.accent, 0.2)}" stroke-width="2"/>`
      : '') +
    '</g>';
  return shadow(210, 250, 150) + one(176, -8, true) + one(222, 4, false) + one(196, 14, true);
};

/** Red onions with their papery skin and dry tops. */
export const onions: Draw = (p) =>
  shadow(200, 250, 140) +
  (
    [
      [146, 192, 46],
      [254, 192, 46],
      [200, 208, 48],
    ] as const
  )
    .map(
      ([x, y, r]) =>
        ball(
          `<path d="M${x} ${y - r - 10} Q${x + r * 0.3} ${y - r * 0.9} ${x + r * 0.75} ${y - r * 0.6} Q${x + r * 1.15} ${y - r * 0.2} ${x + r} ${y + r * 0.35} Q${x + r * 0.8} ${y + r * 0.95} ${x} ${y + r * 0.95} Q${x - r * 0.8} ${y + r * 0.95} ${x - r} ${y + r * 0.35} Q${x - r * 1.15} ${y - r * 0.2} ${x - r * 0.75} ${y - r * 0.6} Q${x - r * 0.3} ${y - r * 0.9} ${x} ${y - r - 10}Z" fill="${p.colour}"/>`,
        ) +
        `<path d="M${x} ${y - r - 6} Q${x - r * 0.75} ${y - r * 0.2} ${x - r * 0.3} ${y + r * 0.9} M${x} ${y - r - 6} Q${x + r * 0.75} ${y - r * 0.2} ${x + r * 0.3} ${y + r * 0.9} M${x} ${y - r - 6} V${y + r * 0.93}" stroke="${lighten(p.colour, 0.3)}" stroke-width="2" fill="none" opacity=".6"/>` +
        `<path d="M${x - 6} ${y + r * 0.95} l-4 6 M${x} ${y + r * 0.95} v7 M${x + 6} ${y + r * 0.95} l4 6" stroke="#d9c7a8" stroke-width="2" stroke-linecap="round"/>` +
        `<path d="M${x} ${y - r - 8} q-4 -18 -12 -28 M${x} ${y - r - 8} q6 -16 4 -30" stroke="${p.accent}" stroke-width="4" fill="none" stroke-linecap="round"/>`,
    )
    .join('');

/** Long dried peppers strung by their stalks. */
export const peppers: Draw = (p) =>
  shadow(200, 250, 140) +
  `<path d="M70 70 Q200 100 330 70" stroke="#c9a66b" stroke-width="3" fill="none"/>` +
  along(6, 100, 300, (x, i) => {
    const y = 70 + 30 * (1 - ((x - 200) / 130) ** 2) * 0.8;
    const bend = i % 2 ? 14 : -12;
    return (
      `<path d="M${r1(x)} ${r1(y)} v10" stroke="#4f6b2a" stroke-width="5"/>` +
      ball(
        `<path d="M${r1(x - 14)} ${r1(y + 12)} Q${r1(x - 16 + bend)} ${r1(y + 90)} ${r1(x + bend)} ${r1(y + 150)} Q${r1(x + 14 + bend / 2)} ${r1(y + 80)} ${r1(x + 14)} ${r1(y + 12)}Z" fill="${i % 3 ? p.colour : darken(p.colour, 0.12)}"/>`,
      )
    );
  });

/** Porcini: fat cream stems under brown caps, and dried slices. */
export const mushrooms: Draw = (p) => {
  const one = (x: number, y: number, s: number) =>
    cyl(
      `<path d="M${x - 22 * s} ${y + 60 * s} Q${x - 30 * s} ${y + 10 * s} ${x - 18 * s} ${y} H${x + 18 * s} Q${x + 30 * s} ${y + 10 * s} ${x + 22 * s} ${y + 60 * s} Q${x} ${y + 68 * s} ${x - 22 * s} ${y + 60 * s}Z" fill="${p.accent}"/>`,
    ) +
    ball(
      `<path d="M${x - 52 * s} ${y + 4 * s} Q${x - 50 * s} ${y - 48 * s} ${x} ${y - 50 * s} Q${x + 50 * s} ${y - 48 * s} ${x + 52 * s} ${y + 4 * s} Q${x} ${y + 14 * s} ${x - 52 * s} ${y + 4 * s}Z" fill="${p.colour}"/>`,
    );
  const slice = (x: number, y: number, rot: number) =>
    `<path d="M-26 0 Q-26 -26 0 -26 Q26 -26 26 0 Q14 4 10 10 V34 Q0 40 -10 34 V10 Q-14 4 -26 0Z" fill="${lighten(p.accent, 0.1)}" stroke="${p.colour}" stroke-width="4" transform="translate(${x} ${y}) rotate(${rot})"/>`;
  return shadow(200, 250, 140) + one(150, 170, 1.1) + one(236, 186, 0.85) + slice(300, 222, 20) + slice(96, 226, -25);
};

/** A wooden crate of mixed vegetables. */
export const vegCrate: Draw = (p) => {
  const veg =
    ball(`<circle cx="150" cy="140" r="30" fill="#d63a2a"/>`) +
    `<path d="M236 70 q-6 30 4 60 M250 72 q0 30 -4 58 M264 80 q-8 26 -12 50" stroke="#4f8a3a" stroke-width="6" fill="none" stroke-linecap="round"/>` +
    ball(`<path d="M220 128 L270 128 L248 176Z" fill="#e98a2b"/>`) +
    leaf(100, 140, -60, 70) +
    leaf(300, 150, -120, 60, '#3f6b2a') +
    cyl(`<rect x="170" y="112" width="120" height="30" rx="15" fill="#3f7a34" transform="rotate(-12 230 127)"/>`) +
    ball(`<circle cx="205" cy="150" r="26" fill="#7b3f7d"/>`) +
    ball(`<circle cx="118" cy="156" r="22" fill="#f2c14e"/>`) +
    ball(`<circle cx="292" cy="162" r="24" fill="#c0392b"/>`);
  return (
    shadow(200, 250, 150) +
    veg +
    `<path d="M80 150 H320 L308 250 H92Z" fill="${p.colour}"/>` +
    along(3, 166, 222, (y) => `<rect x="84" y="${r1(y)}" width="232" height="20" fill="${lighten(p.colour, 0.1)}"/>`) +
    `<path d="M80 150 H320 L308 250 H92Z" fill="url(#cyl)"/>` +
    `<rect x="160" y="186" width="80" height="40" rx="4" fill="${p.accent}"/>` +
    text(200, 212, p.label, 13, lighten(p.accent, 0.9), 'bold', 72)
  );
};

/** A bunch of grapes with a vine leaf. */
export const grapes: Draw = (p) => {
  const rows = [6, 5, 5, 4, 3, 2, 1];
  const out: string[] = [
    shadow(200, 250, 90),
    leaf(210, 76, -20, 70, '#5d8a3a'),
    `<path d="M200 92 q-4 -20 6 -30" stroke="#6b4a2b" stroke-width="5" fill="none"/>`,
  ];
  rows.forEach((n, row) => {
    for (let i = 0; i < n; i++) {
      const x = 200 + (i - (n - 1) / 2) * 25;
      const y = 110 + row * 21;
      out.push(ball(`<ellipse cx="${r1(x)}" cy="${y}" rx="13" ry="14" fill="${(i + row) % 3 ? p.colour : darken(p.colour, 0.1)}"/>`));
    }
  });
  return out.join('');
};

/** Nuts: "almond" (shelled almonds) or "hazelnut" (round nuts, some in their husk). */
export const nuts: Draw = (p) => {
  const out: string[] = [shadow(200, 250, 150)];
  const almond = p.variant === 'almond';
  heap(p, 30, 110, 56).forEach(({ x, y, rot }, i) => {
    out.push(
      almond
        ? ball(
            `<path d="M0 -22 Q16 -6 12 12 Q0 24 -12 12 Q-16 -6 0 -22Z" fill="${i % 3 ? p.colour : darken(p.colour, 0.1)}" transform="translate(${r1(x)} ${r1(y)}) rotate(${rot})"/>`,
          ) +
            `<path d="M0 -16 Q4 0 0 14" stroke="${darken(p.colour, 0.25)}" stroke-width="1.5" fill="none" transform="translate(${r1(x)} ${r1(y)}) rotate(${rot})"/>`
        : ball(`<circle cx="${r1(x)}" cy="${r1(y)}" r="15" fill="${i % 3 ? p.colour : darken(p.colour, 0.12)}"/>`) +
            `<path d="M${r1(x - 10)} ${r1(y + 8)} Q${r1(x)} ${r1(y + 15)} ${r1(x + 10)} ${r1(y + 8)} L${r1(x + 8)} ${r1(y + 14)} Q${r1(x)} ${r1(y + 18)} ${r1(x - 8)} ${r1(y + 14)}Z" fill="${p.accent}"/>`,
    );
  });
  if (!almond) out.push(leaf(290, 150, -30, 60, '#6b8f3a'), leaf(280, 160, 20, 50, '#5d7f30'));
  return out.join('');
};

/** Apples (or pears with variant "pear"), a leaf on the front one. */
export const apples: Draw = (p) => {
  const pear = p.variant === 'pear';
  const items: [number, number, number][] = [
    [150, 176, 48],
    [250, 176, 48],
    [200, 206, 52],
  ];
  return (
    shadow(200, 252, 140) +
    `<radialGradient id="blush"><stop offset="0" stop-color="${p.accent}" stop-opacity=".6"/><stop offset="1" stop-color="${p.accent}" stop-opacity="0"/></radialGradient>` +
    items
      .map(([x, y, r], i) => {
        const fill = i === 1 ? darken(p.colour, 0.08) : p.colour;
        const body = pear
          ? `<path d="M${x} ${y - r * 1.35} Q${x + r * 0.45} ${y - r * 1.3} ${x + r * 0.5} ${y - r * 0.5} Q${x + r * 1.05} ${y} ${x + r * 0.8} ${y + r * 0.6} Q${x} ${y + r * 1.1} ${x - r * 0.8} ${y + r * 0.6} Q${x - r * 1.05} ${y} ${x - r * 0.5} ${y - r * 0.5} Q${x - r * 0.45} ${y - r * 1.3} ${x} ${y - r * 1.35}Z" fill="${fill}"/>`
          : `<path d="M${x} ${y - r * 0.8} Q${x + r * 0.5} ${y - r * 1.15} ${x + r * 0.95} ${y - r * 0.5} Q${x + r * 1.15} ${y + r * 0.45} ${x + r * 0.4} ${y + r * 0.9} Q${x} ${y + r} ${x - r * 0.4} ${y + r * 0.9} Q${x - r * 1.15} ${y + r * 0.45} ${x - r * 0.95} ${y - r * 0.5} Q${x - r * 0.5} ${y - r * 1.15} ${x} ${y - r * 0.8}Z" fill="${fill}"/>`;
        const top = pear ? y - r * 1.32 : y - r * 0.78;
        return (
          ball(body) +
          (pear
            ? ''
            : `<ellipse cx="${r1(x + r * 0.3)}" cy="${r1(y + r * 0.1)}" rx="${r1(r * 0.6)}" ry="${r1(r * 0.75)}" fill="url(#blush)"/>`) +
          `<path d="M${x} ${r1(top + 2)} q2 -14 8 -18" stroke="#6b4a2b" stroke-width="4" fill="none" stroke-linecap="round"/>` +
          (i === 2 ? leaf(x + 6, top - 10, -30, 34) : '')
        );
      })
      .join('')
  );
};

/** Citrus: "orange" (with a cut half showing blood-red flesh), "lemon" or "mandarin", with leaves. */
export const citrus: Draw = (p) => {
  const lemon = p.variant === 'lemon';
  const r = p.variant === 'mandarin' ? 36 : 46;
  const fruit = (x: number, y: number) =>
    lemon
      ? ball(
          `<path d="M${x - r - 10} ${y} Q${x - r} ${y - r * 0.8} ${x} ${y - r * 0.8} Q${x + r} ${y - r * 0.8} ${x + r + 10} ${y} Q${x + r} ${y + r * 0.8} ${x} ${y + r * 0.8} Q${x - r} ${y + r * 0.8} ${x - r - 10} ${y}Z" fill="${p.colour}"/>`,
        )
      : ball(`<ellipse cx="${x}" cy="${y}" rx="${r}" ry="${r1(r * (p.variant === 'mandarin' ? 0.86 : 0.96))}" fill="${p.colour}"/>`) +
        along(
          5,
          x - r * 0.5,
          x + r * 0.5,
          (dx, i) => `<circle cx="${r1(dx)}" cy="${r1(y - r * 0.2 + (i % 2) * 10)}" r="1.2" fill="${darken(p.colour, 0.2)}"/>`,
        );
  const half =
    p.variant === 'orange'
      ? `<ellipse cx="292" cy="226" rx="${r}" ry="20" fill="${p.colour}"/><ellipse cx="292" cy="222" rx="${r - 5}" ry="16" fill="${p.detail}"/>` +
        along(
          8,
          0,
          315,
          (a) =>
            `<path d="M292 222 L${r1(292 + Math.cos((a * Math.PI) / 180) * (r - 8))} ${r1(222 + Math.sin((a * Math.PI) / 180) * 13)}" stroke="#fbe3c8" stroke-width="1.5"/>`,
        )
      : '';
  return (
    shadow(200, 250, 150) +
    leaf(180, 132, -150, 56) +
    leaf(216, 130, -40, 60, '#3f7a34') +
    fruit(160, 170) +
    fruit(240, 172) +
    fruit(p.variant === 'orange' ? 180 : 200, 210) +
    half
  );
};

/** Strawberries with seeds and green tops. */
export const strawberries: Draw = (p) =>
  shadow(200, 250, 140) +
  (
    [
      [150, 170, 1],
      [250, 172, 0.95],
      [200, 196, 1.1],
      [120, 220, 0.8],
      [282, 222, 0.85],
    ] as const
  )
    .map(([x, y, s], i) => {
      const body = `<path d="M${x - 32 * s} ${y - 10 * s} Q${x - 34 * s} ${y + 30 * s} ${x} ${y + 48 * s} Q${x + 34 * s} ${y + 30 * s} ${x + 32 * s} ${y - 10 * s} Q${x} ${y - 26 * s} ${x - 32 * s} ${y - 10 * s}Z" fill="${i % 2 ? darken(p.colour, 0.08) : p.colour}"/>`;
      const seeds =
        along(
          4,
          x - 18 * s,
          x + 18 * s,
          (sx, j) => `<ellipse cx="${r1(sx)}" cy="${r1(y + 6 * s + (j % 2) * 14 * s)}" rx="1.4" ry="2.2" fill="#f6e08a"/>`,
        ) + along(3, x - 10 * s, x + 10 * s, (sx) => `<ellipse cx="${r1(sx)}" cy="${r1(y + 26 * s)}" rx="1.4" ry="2.2" fill="#f6e08a"/>`);
      return (
        ball(body) + seeds + `<path d="M${x} ${y - 14 * s} l-22 -4 l14 -4 l-6 -12 l14 8 l6 -12 l4 12 l14 -6 l-8 12 l16 4z" fill="${LEAF}"/>`
      );
    })
    .join('');

/** Chestnuts: glossy brown nuts with their pale base, a few dried and peeled. */
export const chestnuts: Draw = (p) => {
  const nut = (x: number, y: number, s: number, rot: number, dried: boolean) =>
    `<g transform="translate(${x} ${y}) rotate(${rot}) scale(${s})">` +
    (dried
      ? ball(`<path d="M-26 10 Q-30 -18 0 -28 Q30 -18 26 10 Q0 22 -26 10Z" fill="${p.accent}"/>`) +
        `<path d="M-12 -16 Q-8 -2 -14 12 M4 -22 Q10 -4 6 16" stroke="${darken(p.accent, 0.2)}" stroke-width="2" fill="none"/>`
      : ball(`<path d="M0 -34 Q8 -30 10 -26 Q34 -14 30 8 Q26 24 0 24 Q-26 24 -30 8 Q-34 -14 -10 -26 Q-8 -30 0 -34Z" fill="${p.colour}"/>`) +
        `<path d="M-28 10 Q0 2 28 10 Q26 24 0 24 Q-26 24 -28 10Z" fill="${darken(p.accent, 0.1)}"/>` +
        `<path d="M-14 -20 q-10 12 -8 26" stroke="#fff" stroke-opacity=".35" stroke-width="4" fill="none" stroke-linecap="round"/>`) +
    '</g>';
  return (
    shadow(200, 250, 150) +
    nut(150, 180, 1.3, -10, false) +
    nut(250, 178, 1.25, 12, false) +
    nut(200, 206, 1.35, 0, false) +
    nut(110, 226, 1, -20, true) +
    nut(296, 226, 1, 25, true) +
    nut(248, 232, 0.85, 60, true)
  );
};

/** Pasta shapes: orecchiette, spaghetti, busiate, nest (tagliatelle), fusilli, paccheri, lasagne. */
export const pasta: Draw = (p) => {
  const c = p.colour;
  const d = darken(c, 0.18);
  const out: string[] = [shadow(200, 250, 150)];
  const scatter = (n: number, f: (x: number, y: number, rot: number, i: number) => string) => {
    heap(p, n).forEach(({ x, y, rot }, i) => out.push(f(x, y, rot, i)));
  };
  switch (p.variant) {
    case 'orecchiette':
      scatter(
        24,
        (x, y, rot) =>
          ball(`<ellipse cx="${x}" cy="${y}" rx="17" ry="14" fill="${c}" transform="rotate(${rot} ${x} ${y})"/>`) +
          `<ellipse cx="${x}" cy="${y - 1}" rx="9" ry="7" fill="${d}"/>`,
      );
      break;
    case 'spaghetti':
    case 'busiate':
      // a bundle tied with a paper band, or loose twists
      if (p.variant === 'spaghetti') {
        // a bundle lying on the table, tied with a paper band
        out.push(
          along(30, 0, 29, (_, i) => {
            // strands squeezed by the band and fanning out towards both ends
            const k = i - 14.5;
            const [band, end] = [206 + k * 1.3, 206 + k * 2.4];
            return `<path d="M${76 + (i % 5) * 3} ${r1(end)} Q200 ${r1(band * 2 - (end + band) / 2)} ${324 - (i % 4) * 3} ${r1(end)}" stroke="${i % 3 ? c : d}" stroke-width="2.6" fill="none" stroke-linecap="round"/>`;
          }) +
            `<rect x="160" y="182" width="80" height="48" rx="3" fill="${p.accent}"/>` +
            text(200, 211, p.label, 12, lighten(p.accent, 0.9), 'bold', 74),
        );
      } else {
        scatter(
          12,
          (x, y, rot) =>
            `<path d="M-30 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0" stroke="${c}" stroke-width="7" fill="none" stroke-linecap="round" transform="translate(${x} ${y}) rotate(${rot})"/><path d="M-30 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0 c6 -10 10 10 16 0" stroke="${d}" stroke-width="2" fill="none" transform="translate(${x} ${y + 2}) rotate(${rot})"/>`,
        );
      }
      break;
    case 'nest':
      for (const [x, y, s] of [
        [150, 186, 1],
        [250, 186, 1],
        [200, 214, 1.1],
      ] as const)
        out.push(
          ball(`<ellipse cx="${x}" cy="${y}" rx="${48 * s}" ry="${30 * s}" fill="${c}"/>`) +
            Array.from(
              { length: 7 },
              (_, i) =>
                `<ellipse cx="${x}" cy="${y}" rx="${r1((46 - i * 6) * s)}" ry="${r1((28 - i * 3.6) * s)}" fill="none" stroke="${i % 2 ? d : lighten(c, 0.2)}" stroke-width="3" transform="rotate(${i * 9 - 20} ${x} ${y})"/>`,
            ).join(''),
        );
      break;
    case 'fusilli':
      scatter(
        18,
        (x, y, rot) =>
          `<g transform="translate(${x} ${y}) rotate(${rot})">${cyl(`<rect x="-24" y="-7" width="48" height="14" rx="7" fill="${c}"/>`)}${along(5, -18, 18, (sx) => `<path d="M${r1(sx)} -7 l6 14" stroke="${d}" stroke-width="2.5"/>`)}</g>`,
      );
      break;
    case 'paccheri':
      scatter(
        12,
        (x, y, rot) =>
          `<g transform="translate(${x} ${y}) rotate(${rot % 60})">${cyl(`<rect x="-28" y="-16" width="50" height="32" fill="${c}"/>`)}<ellipse cx="24" cy="0" rx="7" ry="16" fill="${d}"/><ellipse cx="24" cy="0" rx="4" ry="12" fill="${darken(c, 0.35)}"/></g>`,
      );
      break;
    case 'lasagne':
      for (let i = 0; i < 5; i++)
        out.push(
          `<g transform="translate(${110 + i * 6} ${226 - i * 16}) rotate(${i % 2 ? 4 : -4})"><path d="M0 0 H170 V24 H0Z" fill="${i % 2 ? c : lighten(c, 0.08)}" stroke="${d}" stroke-width="1.5"/>` +
            `<path d="M0 0 q8 -4 16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t10 0 M0 24 q8 4 16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t16 0 t10 0" stroke="${d}" stroke-width="3" fill="none"/></g>`,
        );
      break;
    default:
      // taralli: rings
      scatter(
        16,
        (x, y, rot) =>
          `<g transform="translate(${x} ${y}) rotate(${rot})"><ellipse rx="20" ry="15" fill="none" stroke="${c}" stroke-width="10"/><ellipse rx="20" ry="15" fill="none" stroke="${d}" stroke-width="2" stroke-dasharray="3 4" transform="translate(0 3)"/></g>`,
      );
  }
  return out.join('');
};

/** Pulses and grains in a burlap sack with a scoop: lentils, chickpeas, beans, grass peas, spelt. */
export const legumes: Draw = (p) => {
  const size: Record<string, [number, number]> = {
    lentils: [5, 4],
    chickpeas: [8, 8],
    beans: [10, 6.5],
    'grass-peas': [7, 6],
    spelt: [7, 3.5],
  };
  const [rx, ry] = size[p.variant] ?? [6, 5];
  const seed = (x: number, y: number, i: number) =>
    ball(
      `<ellipse cx="${r1(x)}" cy="${r1(y)}" rx="${rx}" ry="${ry}" fill="${i % 3 ? p.colour : darken(p.colour, 0.12)}" transform="rotate(${Math.round(p.rand() * 180)} ${r1(x)} ${r1(y)})"/>`,
    ) + (p.variant === 'beans' && i % 2 ? `<circle cx="${r1(x)}" cy="${r1(y)}" r="2" fill="${p.detail}"/>` : '');
  const inSack = Array.from({ length: 90 }, (_, i) => {
    const x = 128 + p.rand() * 132;
    return seed(x, 132 - p.rand() * (34 - Math.abs(x - 194) * 0.45), i);
  }).join('');
  const spilled = Array.from({ length: 30 }, (_, i) => seed(270 + p.rand() * 80, 232 + p.rand() * 16, i)).join('');
  return (
    shadow(200, 250, 150) +
    `<path d="M116 130 Q100 200 112 246 Q190 256 268 246 Q282 200 272 130Z" fill="${p.accent}"/>` +
    along(
      9,
      122,
      262,
      (x) => `<path d="M${r1(x)} 134 Q${r1(x - 4)} 196 ${r1(x)} 248" stroke="${darken(p.accent, 0.12)}" stroke-width="2" fill="none"/>`,
    ) +
    `<path d="M116 130 Q100 200 112 246 Q190 256 268 246 Q282 200 272 130Z" fill="url(#cyl)"/>` +
    `<path d="M118 132 Q194 84 270 132 Q194 150 118 132Z" fill="${darken(p.colour, 0.15)}"/>` +
    inSack +
    `<path d="M112 130 Q194 150 276 130" stroke="${lighten(p.accent, 0.1)}" stroke-width="9" fill="none" stroke-linecap="round"/>` +
    spilled
  );
};

/** A paper flour sack, open, with a heap of flour and a few ears of wheat. */
export const flour: Draw = (p) =>
  shadow(200, 250, 110) +
  `<path d="M140 90 L260 90 L272 246 Q200 254 128 246Z" fill="${p.accent}"/>` +
  `<path d="M140 90 L260 90 L272 246 Q200 254 128 246Z" fill="url(#cyl)"/>` +
  `<path d="M140 90 L150 76 L170 90 L190 76 L210 90 L230 76 L250 90 L260 90Z" fill="${darken(p.accent, 0.12)}"/>` +
  `<ellipse cx="200" cy="96" rx="58" ry="12" fill="${p.colour}"/>` +
  `<path d="M160 150 H240 V212 H160Z" fill="#fff" fill-opacity=".75"/>` +
  text(200, 188, p.label, 13, darken(p.accent, 0.6), 'bold', 74) +
  `<path d="M282 250 Q300 232 330 242 Q340 250 330 252Z" fill="${p.colour}"/>` +
  `<g stroke="#c8963e" stroke-width="3" fill="none"><path d="M90 250 Q86 170 104 110"/><path d="M110 250 Q112 180 130 130"/></g>` +
  along(
    5,
    110,
    150,
    (y) =>
      `<ellipse cx="${r1(104 - (y - 110) * 0.1)}" cy="${r1(y)}" rx="4" ry="8" fill="#d9b45a" transform="rotate(20 ${r1(104 - (y - 110) * 0.1)} ${r1(y)})"/>`,
  );

/** Biscuits stacked on a plate, a few aniseeds scattered. */
export const biscuits: Draw = (p) =>
  shadow(200, 250, 140) +
  `<ellipse cx="200" cy="232" rx="140" ry="22" fill="#f4f1ea"/>` +
  `<ellipse cx="200" cy="228" rx="110" ry="15" fill="#ebe5da"/>` +
  along(
    4,
    0,
    3,
    (_, i) =>
      `<g transform="translate(${160 + i * 8} ${212 - i * 18})"><ellipse cx="0" cy="0" rx="58" ry="16" fill="${darken(p.colour, 0.15)}"/><ellipse cx="0" cy="-4" rx="58" ry="15" fill="${p.colour}"/><ellipse cx="0" cy="-4" rx="20" ry="5" fill="${lighten(p.colour, 0.2)}"/></g>`,
  ) +
  `<g transform="translate(282 212) rotate(-8)"><ellipse cx="0" cy="0" rx="46" ry="14" fill="${darken(p.colour, 0.15)}"/><ellipse cx="0" cy="-3" rx="46" ry="13" fill="${p.colour}"/></g>` +
  along(12, 92, 320, (x, i) => `<ellipse cx="${r1(x)}" cy="${236 + (i % 3) * 4}" rx="2.5" ry="1.2" fill="${p.accent}"/>`);
