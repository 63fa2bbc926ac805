import { along, ball, cyl, darken, fall, lighten, r1, shadow, text, type Draw, type Paint } from './kit';

/**
 * Bottles, jars, tins and cheeses: the pantry half of the food drawings.
 * Each function draws one kind of object on the 400×300 canvas.
 */

const olives = (x: number, y: number, c = '#5d6b1e') =>
  `<path d="M${x - 30} ${y - 4} q20 -26 46 -18 q-22 4 -46 18z" fill="#6f8f3a"/>` +
  ball(`<ellipse cx="${x}" cy="${y}" rx="13" ry="9" fill="${c}"/>`) +
  ball(`<ellipse cx="${x + 24}" cy="${y + 3}" rx="12" ry="8.5" fill="${darken(c, 0.25)}"/>`);

const labelBox = (x: number, y: number, w: number, h: number, fill: string, p: Paint, size = 13) =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="${fill}"/>` +
  `<rect x="${x + 4}" y="${y + 4}" width="${w - 8}" height="${h - 8}" rx="2" fill="none" stroke="${darken(fill, 0.35)}" stroke-width="1"/>` +
  text(x + w / 2, y + h / 2 + size / 3, p.label, size, darken(fill, 0.7), 'bold', w - 10);

/** A square-shouldered olive oil bottle with a paper label, olives beside it. */
export const oilBottle: Draw = (p) =>
  shadow(200, 250, 55) +
  olives(268, 240) +
  `<rect x="186" y="40" width="28" height="24" rx="4" fill="${p.detail}"/>` +
  cyl(
    `<path d="M168 248 V120 Q168 102 189 94 V62 H211 V94 Q232 102 232 120 V248 Q232 252 228 252 H172 Q168 252 168 248Z" fill="${p.colour}"/>`,
  ) +
  `<path d="M172 130 V236" stroke="#fff" stroke-opacity=".35" stroke-width="5" stroke-linecap="round"/>` +
  labelBox(172, 150, 56, 64, p.accent, p, 10) +
  `<path d="M184 202 q16 -10 32 0" stroke="#6f8f3a" stroke-width="2" fill="none"/>`;

/** A rectangular oil tin with a carrying handle and a spout. */
export const oilCan: Draw = (p) =>
  shadow(200, 250, 80) +
  `<path d="M165 92 q35 -40 70 0" fill="none" stroke="${darken(p.colour, 0.4)}" stroke-width="6"/>` +
  `<rect x="232" y="78" width="16" height="18" rx="3" fill="${p.detail}"/>` +
  fall(`<rect x="132" y="92" width="136" height="158" rx="6" fill="${p.colour}"/>`) +
  `<rect x="132" y="92" width="136" height="158" rx="6" fill="url(#cyl)" opacity=".7"/>` +
  `<rect x="132" y="126" width="136" height="80" fill="${p.accent}"/>` +
  text(200, 162, p.label, 15, lighten(p.accent, 0.85)) +
  text(200, 186, '3 l', 14, lighten(p.accent, 0.85), 'normal') +
  `<path d="M132 100 H268 M132 242 H268" stroke="${darken(p.colour, 0.3)}" stroke-width="2"/>` +
  olives(292, 242);

/** A Bordeaux wine bottle with capsule and label, and a glass of the wine. */
export const wineBottle: Draw = (p) => {
  const slim = p.variant === 'slim';
  const [l, r] = slim ? [180, 220] : [170, 230];
  const glassFill = p.detail;
  return (
    shadow(205, 250, 80) +
    cyl(
      `<path d="M${l} 248 V140 Q${l} 110 191 102 V50 H209 V102 Q${r} 110 ${r} 140 V248 Q${r} 252 ${r - 4} 252 H${l + 4} Q${l} 252 ${l} 248Z" fill="${p.colour}"/>`,
    ) +
    `<rect x="189" y="40" width="22" height="44" rx="3" fill="${p.accent}"/>` +
    `<rect x="189" y="78" width="22" height="4" fill="${darken(p.accent, 0.3)}"/>` +
    `<rect x="${l + 4}" y="162" width="${r - l - 8}" height="58" rx="2" fill="#f6efe0"/>` +
    `<rect x="${l + 4}" y="162" width="${r - l - 8}" height="8" fill="${p.accent}"/>` +
    text(200, 196, p.label, slim ? 8 : 10, '#3a2a20', 'bold', r - l - 14) +
    `<path d="M${l + 6} 150 V236" stroke="#fff" stroke-opacity=".3" stroke-width="4" stroke-linecap="round"/>` +
    // the glass: bowl, wine, stem, foot
    `<path d="M258 160 Q256 206 284 210 Q312 206 310 160 Z" fill="#fff" fill-opacity=".45" stroke="#fff" stroke-width="1.5"/>` +
    `<path d="M258.6 182 Q262 207 284 209 Q306 207 309.4 182 Z" fill="${glassFill}"/>` +
    `<path d="M284 210 V244" stroke="#fff" stroke-width="3"/>` +
    `<ellipse cx="284" cy="246" rx="18" ry="4" fill="#fff" fill-opacity=".8"/>` +
    `<path d="M264 168 Q263 190 270 200" stroke="#fff" stroke-width="3" fill="none" stroke-opacity=".8"/>`
  );
};

/** A clear glass bottle showing what is inside (passata, juice, vincotto), cap on top. */
export const bottle: Draw = (p) => {
  const slim = p.variant === 'slim';
  const [l, r] = slim ? [178, 222] : [160, 240];
  const shape = `M${l} 246 V${slim ? 130 : 140} Q${l} 112 190 100 V64 H210 V100 Q${r} 112 ${r} ${slim ? 130 : 140} V246 Q${r} 252 ${r - 6} 252 H${l + 6} Q${l} 252 ${l} 246Z`;
  return (
    shadow(200, 250, 62) +
    (p.variant === 'apples'
      ? ball(`<circle cx="272" cy="226" r="22" fill="#d9b43a"/>`) +
        `<path d="M272 205 q2 -8 6 -10" stroke="#6b4a2b" stroke-width="3" fill="none"/>`
      : '') +
    (p.variant === 'tomatoes'
      ? ball(`<circle cx="274" cy="228" r="20" fill="#d63a2a"/>`) +
        `<path d="M264 210 l10 4 l10 -4 l-6 6 l4 6 l-8 -4 l-8 4 l4 -6z" fill="#3f7a34"/>`
      : '') +
    `<path d="${shape}" fill="#fff" fill-opacity=".5"/>` +
    `<path d="M${l + 3} 246 V128 H${r - 3} V246 Q${r - 3} 249 ${r - 8} 249 H${l + 8} Q${l + 3} 249 ${l + 3} 246Z" fill="${p.colour}"/>` +
    `<path d="${shape}" fill="url(#cyl)"/>` +
    `<rect x="187" y="52" width="26" height="16" rx="3" fill="${p.accent}"/>` +
    `<rect x="${l + 6}" y="170" width="${r - l - 12}" height="46" rx="2" fill="#f7f1e3"/>` +
    text(200, 198, p.label, slim ? 8 : 12, darken(p.colour, 0.4), 'bold', r - l - 16)
  );
};

/** A small amber dropper bottle (tinctures). */
export const dropper: Draw = (p) =>
  shadow(200, 250, 45) +
  `<path d="M190 60 Q190 38 200 38 Q210 38 210 60 V112 H190Z" fill="${p.accent}"/>` +
  `<rect x="184" y="104" width="32" height="34" rx="4" fill="${darken(p.accent, 0.2)}"/>` +
  cyl(`<path d="M168 248 V160 Q168 140 188 136 H212 Q232 140 232 160 V248 Q232 252 228 252 H172 Q168 252 168 248Z" fill="${p.colour}"/>`) +
  labelBox(172, 176, 56, 50, '#f6efe0', p, 9) +
  ball(`<ellipse cx="262" cy="240" rx="16" ry="10" fill="${darken(p.colour, 0.2)}"/>`) +
  ball(`<ellipse cx="284" cy="244" rx="10" ry="7" fill="${lighten(p.colour, 0.15)}"/>`);

/** Pieces seen through a jar's glass, inside the box x0…x1, y0…y1. */
function jarContents(p: Paint, x0: number, y0: number, x1: number, y1: number): string {
  const { variant, rand } = p;
  if (!variant || variant === 'smooth') return '';
  const out: string[] = [];
  const colours = p.detail.split(',');
  const n = variant === 'granules' ? 90 : variant === 'olives' ? 14 : 16;
  for (let i = 0; i < n; i++) {
    const x = x0 + 6 + rand() * (x1 - x0 - 12);
    const y = y0 + 6 + rand() * (y1 - y0 - 12);
    const c = colours[i % colours.length]!;
    if (variant === 'granules') out.push(`<circle cx="${r1(x)}" cy="${r1(y)}" r="${r1(2 + rand() * 2)}" fill="${c}"/>`);
    else if (variant === 'olives')
      out.push(
        ball(
          `<ellipse cx="${r1(x)}" cy="${r1(y)}" rx="11" ry="8" fill="${c}" transform="rotate(${Math.round(rand() * 180)} ${r1(x)} ${r1(y)})"/>`,
        ),
      );
    else if (variant === 'slices')
      out.push(
        `<ellipse cx="${r1(x)}" cy="${r1(y)}" rx="14" ry="8" fill="${c}" stroke="${darken(c, 0.45)}" stroke-width="2.5" transform="rotate(${Math.round(rand() * 60 - 30)} ${r1(x)} ${r1(y)})"/>`,
      );
    else
      out.push(
        ball(
          `<path d="M${r1(x - 12)} ${r1(y)} q4 -12 12 -11 q12 -1 12 10 q-2 12 -12 11 q-12 1 -12 -10z" fill="${c}" transform="rotate(${Math.round(rand() * 90)} ${r1(x)} ${r1(y)})"/>`,
        ),
      );
  }
  return out.join('');
}

/** A glass jar with a metal lid, its contents showing, a paper label. */
export const jar: Draw = (p) => {
  const body = `M144 128 Q144 112 160 110 H240 Q256 112 256 128 V236 Q256 252 240 252 H160 Q144 252 144 236Z`;
  return (
    shadow(200, 250, 80) +
    `<path d="${body}" fill="#fff" fill-opacity=".55"/>` +
    `<clipPath id="jarc"><path d="M148 124 H252 V236 Q252 248 238 248 H162 Q148 248 148 236Z"/></clipPath>` +
    `<g clip-path="url(#jarc)"><rect x="140" y="124" width="120" height="130" fill="${p.colour}"/>${jarContents(p, 148, 124, 252, 248)}</g>` +
    `<path d="${body}" fill="url(#cyl)"/>` +
    `<path d="M152 130 V232" stroke="#fff" stroke-opacity=".55" stroke-width="5" stroke-linecap="round"/>` +
    cyl(`<rect x="148" y="88" width="104" height="26" rx="5" fill="${p.accent}"/>`) +
    along(12, 154, 246, (x) => `<path d="M${r1(x)} 91 V111" stroke="${darken(p.accent, 0.25)}" stroke-width="1.5"/>`) +
    (p.label ? labelBox(160, 164, 80, 44, '#f7f1e3', p, 12) : '')
  );
};

/** A round honey jar under a cloth cap tied with string, and a honey dipper. */
export const honeyJar: Draw = (p) => {
  const body = `M150 120 Q136 132 136 170 V228 Q136 252 160 252 H240 Q264 252 264 228 V170 Q264 132 250 120Z`;
  return (
    shadow(210, 250, 95) +
    `<path d="${body}" fill="${p.colour}"/>` +
    `<path d="M144 150 Q200 140 256 150 V228 Q256 246 238 246 H162 Q144 246 144 228Z" fill="${darken(p.colour, 0.12)}" opacity=".5"/>` +
    `<path d="${body}" fill="url(#cyl)"/>` +
    `<path d="M150 146 V226" stroke="#fff" stroke-opacity=".5" stroke-width="6" stroke-linecap="round"/>` +
    // the cloth cap, its gingham and the string
    `<path d="M140 118 Q132 96 152 84 Q200 70 248 84 Q268 96 260 118 L268 132 Q236 124 200 126 Q164 124 132 132Z" fill="${p.accent}"/>` +
    along(6, 150, 250, (x) => `<path d="M${r1(x)} 80 V130" stroke="#fff" stroke-opacity=".45" stroke-width="6"/>`) +
    along(3, 90, 118, (y) => `<path d="M136 ${r1(y)} H264" stroke="#fff" stroke-opacity=".45" stroke-width="6"/>`) +
    `<path d="M142 118 Q200 110 258 118" stroke="#c9a66b" stroke-width="3" fill="none"/>` +
    // hexagon label
    `<path d="M200 160 L228 176 V206 L200 222 L172 206 V176Z" fill="#fbf4df" stroke="${darken(p.colour, 0.3)}" stroke-width="2"/>` +
    text(200, 196, p.label, 11, darken(p.colour, 0.55), 'bold', 50) +
    // dipper
    `<path d="M272 250 L330 130" stroke="#a87b4f" stroke-width="6" stroke-linecap="round"/>` +
    `<g transform="rotate(26 272 232)">${along(4, 218, 244, (y) => `<rect x="262" y="${r1(y - 5)}" width="20" height="9" rx="4" fill="#b98a58"/>`)}</g>` +
    `<path d="M266 222 q4 14 -2 26" stroke="${p.colour}" stroke-width="5" stroke-linecap="round" fill="none" opacity=".9"/>`
  );
};

/** A dairy pot with a foil lid half peeled back. */
export const tub: Draw = (p) =>
  shadow(200, 250, 70) +
  cyl(`<path d="M140 130 H260 L248 248 Q247 252 242 252 H158 Q153 252 152 248Z" fill="${p.colour}"/>`) +
  `<ellipse cx="200" cy="130" rx="62" ry="14" fill="${p.detail}"/>` +
  `<ellipse cx="200" cy="130" rx="54" ry="10" fill="#fffdf6"/>` +
  `<path d="M150 126 Q190 96 262 104 Q250 120 230 126 Z" fill="#dfe3e6"/>` +
  `<path d="M150 126 Q190 100 262 104" stroke="#b9c0c6" stroke-width="2" fill="none"/>` +
  `<path d="M146 170 H254 L251 206 H149Z" fill="${p.accent}"/>` +
  text(200, 194, p.label, 14, lighten(p.accent, 0.9), 'bold', 100);

/** A cheese wheel with a wedge cut from it, lying in front. */
export const cheeseWheel: Draw = (p) => {
  const rind = p.accent;
  const paste = p.colour;
  const holes = p.variant === 'holes';
  return (
    shadow(200, 246, 150) +
    // the wheel
    `<path d="M70 150 V204 A100 30 0 0 0 270 204 V150Z" fill="${darken(rind, 0.08)}"/>` +
    `<path d="M70 150 V204 A100 30 0 0 0 270 204 V150Z" fill="url(#cyl)"/>` +
    `<ellipse cx="170" cy="150" rx="100" ry="30" fill="${lighten(rind, 0.12)}"/>` +
    // the wedge
    `<path d="M214 240 L244 196 L336 206 L326 250 Z" fill="${paste}"/>` +
    `<path d="M244 196 L336 206 L342 196 L252 186Z" fill="${lighten(paste, 0.2)}"/>` +
    `<path d="M336 206 L342 196 L334 242 L326 250Z" fill="${rind}"/>` +
    `<path d="M214 240 L244 196 L252 186 L222 231Z" fill="${darken(paste, 0.08)}"/>` +
    (holes
      ? `<circle cx="268" cy="226" r="5" fill="${darken(paste, 0.18)}"/><circle cx="300" cy="218" r="4" fill="${darken(paste, 0.18)}"/><circle cx="290" cy="238" r="3" fill="${darken(paste, 0.18)}"/>`
      : along(9, 240, 318, (x, i) => `<circle cx="${r1(x)}" cy="${212 + ((i * 7) % 4) * 8}" r="1.4" fill="${darken(paste, 0.2)}"/>`))
  );
};

/** A wedge of grainy aged cheese (grana) standing on its rind, with a few flakes. */
export const cheeseWedge: Draw = (p) => {
  const grains = Array.from({ length: 40 }, () => {
    const x = 130 + p.rand() * 150;
    const y = 150 + p.rand() * 80;
    return y > 250 - (x - 120) * 0.7 && x < 290 ? `<circle cx="${r1(x)}" cy="${r1(y)}" r="1.6" fill="${darken(p.colour, 0.15)}"/>` : '';
  }).join('');
  return (
    shadow(210, 248, 120) +
    `<path d="M110 248 L290 248 L290 132 Z" fill="${p.colour}"/>` +
    grains +
    `<path d="M290 132 L312 118 V236 L290 248Z" fill="${p.accent}"/>` +
    `<path d="M110 248 L290 132 L312 118 L136 234Z" fill="${lighten(p.colour, 0.18)}"/>` +
    `<path d="M290 132 V248" stroke="${darken(p.accent, 0.2)}" stroke-width="3"/>` +
    `<path d="M90 246 l14 -8 l10 6 l-12 6z M320 246 l10 -6 l8 5 l-10 5z" fill="${p.colour}"/>`
  );
};

/** A pear-shaped caciocavallo tied at the neck with a cord, hung in pairs. */
export const caciocavallo: Draw = (p) => {
  const one = (x: number, s: number) =>
    ball(
      `<path d="M${x} 92 Q${x + 10} 96 ${x + 10} 108 Q${x + 12} 122 ${x + 24 * s} 140 Q${x + 56 * s} 172 ${x + 48 * s} 214 Q${x + 34 * s} 248 ${x} 248 Q${x - 34 * s} 248 ${x - 48 * s} 214 Q${x - 56 * s} 172 ${x - 24 * s} 140 Q${x - 12} 122 ${x - 10} 108 Q${x - 10} 96 ${x} 92Z" fill="${p.colour}"/>`,
    ) +
    `<circle cx="${x}" cy="90" r="9" fill="${p.colour}"/>` +
    `<path d="M${x - 11} 112 Q${x} 118 ${x + 11} 112" stroke="${p.accent}" stroke-width="4" fill="none"/>`;
  return (
    shadow(200, 250, 110) +
    `<path d="M162 112 Q200 40 238 112" stroke="${p.accent}" stroke-width="4" fill="none"/>` +
    one(150, 1) +
    one(252, 0.92)
  );
};

/** A block of butter in waxed paper, a curl of butter and a knife. */
export const butter: Draw = (p) =>
  shadow(200, 246, 110) +
  `<path d="M100 170 L250 150 L310 175 L160 198Z" fill="${lighten(p.colour, 0.3)}"/>` +
  `<path d="M100 170 L160 198 V246 L100 220Z" fill="${darken(p.colour, 0.1)}"/>` +
  `<path d="M160 198 L310 175 V222 L160 246Z" fill="${p.colour}"/>` +
  `<path d="M86 176 L100 170 L160 198 L176 196 L176 250 L160 246 L100 220 L84 224Z" fill="${p.accent}" opacity=".9"/>` +
  `<path d="M176 196 L294 178" stroke="${p.accent}" stroke-width="3"/>` +
  text(128, 212, p.label, 11, darken(p.accent, 0.6)) +
  `<path d="M286 112 q20 -14 38 0 q-6 14 -20 12 q-18 -2 -18 -12z" fill="${p.colour}"/>` +
  `<path d="M292 112 q14 -8 26 0" stroke="${darken(p.colour, 0.15)}" stroke-width="2" fill="none"/>`;

/** A dome of ricotta with the marks of its basket, on a board. */
export const ricotta: Draw = (p) =>
  shadow(200, 248, 130) +
  `<ellipse cx="200" cy="236" rx="130" ry="18" fill="#b98a58"/>` +
  `<ellipse cx="200" cy="232" rx="130" ry="16" fill="#cfa272"/>` +
  ball(`<path d="M112 230 Q112 124 200 120 Q288 124 288 230 Q200 246 112 230Z" fill="${p.colour}"/>`) +
  `<path d="M124 170 Q200 128 276 170" fill="none" stroke="${p.accent}" stroke-width="40" stroke-opacity=".6"/>` +
  along(
    7,
    132,
    268,
    (x) =>
      `<path d="M${r1(x)} ${r1(200 + Math.abs(x - 200) * 0.1)} v18" stroke="${darken(p.colour, 0.12)}" stroke-width="3" stroke-linecap="round"/>`,
  ) +
  along(
    6,
    140,
    260,
    (x) =>
      `<path d="M${r1(x)} ${r1(172 + Math.abs(x - 200) * 0.25)} v14" stroke="${darken(p.colour, 0.12)}" stroke-width="3" stroke-linecap="round"/>`,
  );

/** A slab of speck on a board, cut end showing meat and fat, thin slices fanned in front. */
export const curedMeat: Draw = (p) => {
  const meat = p.colour;
  const rind = p.accent;
  const pepper = Array.from({ length: 26 }, () => {
    const t = p.rand();
    const u = p.rand();
    return `<circle cx="${r1(96 + t * 176 + u * 26)}" cy="${r1(152 - t * 12 + u * 18)}" r="1.6" fill="${darken(rind, 0.5)}"/>`;
  }).join('');
  const slice = (x: number, y: number, rot: number) =>
    `<g transform="translate(${x} ${y}) rotate(${rot})">` +
    `<path d="M-44 0 Q-44 -12 -30 -12 H34 Q46 -12 46 0 Q46 10 34 10 H-30 Q-44 10 -44 0Z" fill="${meat}"/>` +
    `<path d="M-40 -6 Q-40 -12 -30 -12 H34 Q42 -12 44 -6Z" fill="#f6ecdf"/>` +
    `<path d="M-30 -12 H34" stroke="${rind}" stroke-width="2.5" stroke-linecap="round"/>` +
    `<path d="M-30 2 q20 -4 36 2 q14 4 30 -2" stroke="${lighten(meat, 0.25)}" stroke-width="2" fill="none"/>` +
    '</g>';
  return (
    shadow(200, 250, 160) +
    // the board
    `<path d="M44 214 Q44 204 56 204 H344 Q356 204 356 214 V232 Q356 242 344 242 H56 Q44 242 44 232Z" fill="#b98a58"/>` +
    `<path d="M44 214 Q44 204 56 204 H344 Q356 204 356 214 Q200 220 44 214Z" fill="#d2a877"/>` +
    // the slab: top (rind), front (rind), cut end (meat under a layer of fat)
    `<path d="M92 152 Q92 142 104 141 L268 130 Q284 130 292 142 L300 158 L124 172Z" fill="${lighten(rind, 0.08)}"/>` +
    pepper +
    `<path d="M124 172 L300 158 Q304 162 304 170 V196 Q304 204 296 204 H130 Q122 204 122 196Z" fill="${rind}"/>` +
    `<path d="M124 172 L300 158 Q304 162 304 170 V196 Q304 204 296 204 H130 Q122 204 122 196Z" fill="url(#fall)"/>` +
    `<path d="M92 152 L124 172 V204 Q98 200 92 186Z" fill="${meat}"/>` +
    `<path d="M93 156 L123 176 V186 L93 166Z" fill="#f6ecdf"/>` +
    `<path d="M92 152 L124 172" stroke="${darken(rind, 0.2)}" stroke-width="3"/>` +
    `<path d="M96 176 q10 6 24 8 M98 190 q10 4 22 6" stroke="${lighten(meat, 0.25)}" stroke-width="2" fill="none"/>` +
    // the slices
    slice(196, 222, -4) +
    slice(250, 216, -8) +
    slice(302, 212, -12)
  );
};

/** A glass and a bowl of flower pollen granules. */
export const pollen: Draw = (p) => {
  const grains = Array.from(
    { length: 120 },
    () =>
      `<circle cx="${r1(130 + p.rand() * 140)}" cy="${r1(170 + p.rand() * 24)}" r="${r1(3 + p.rand() * 2)}" fill="${p.colour.split(',')[Math.floor(p.rand() * 3)] ?? p.accent}"/>`,
  ).join('');
  return (
    shadow(200, 250, 110) +
    grains +
    `<path d="M112 184 Q120 250 200 250 Q280 250 288 184Z" fill="${p.accent}"/>` +
    `<path d="M112 184 Q120 250 200 250 Q280 250 288 184Z" fill="url(#cyl)"/>` +
    `<ellipse cx="200" cy="184" rx="88" ry="10" fill="none" stroke="${darken(p.accent, 0.2)}" stroke-width="3"/>` +
    `<path d="M300 250 L320 120" stroke="#a87b4f" stroke-width="5" stroke-linecap="round"/>` +
    `<ellipse cx="301" cy="240" rx="12" ry="8" fill="${p.colour.split(',')[0]}"/>`
  );
};
