/**
 * Geometry of a bar chart that a view draws as server-side SVG (no script, no
 * inline style: views/partials/chart-bars.ejs). Pure: points in, numbers out,
 * so pages stay readable without JavaScript and the maths is unit-tested.
 */
export interface ChartPoint {
  label: string;
  value: number;
}

export interface Bar extends ChartPoint {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Centre of the bar's slot, where its label sits. */
  labelX: number;
  labelY: number;
}

export interface BarChart {
  width: number;
  height: number;
  bars: Bar[];
  /** The value a full-height bar stands for (at least 1, so an empty chart draws no bars). */
  max: number;
}

export interface BarChartOptions {
  width?: number;
  height?: number;
  /** Space around the plot; the bottom holds the labels. */
  pad?: Partial<Record<'top' | 'right' | 'bottom' | 'left', number>>;
  /** Distance of the labels' baseline above the bottom edge. */
  labelGap?: number;
}

/**
 * Each point gets an equal slot; its bar fills the middle 70 % of the slot and
 * grows up from the plot's base. A negative value draws no bar (an SVG height
 * cannot be negative).
 */
export function barChart(points: readonly ChartPoint[], options: BarChartOptions = {}): BarChart {
  const { width = 640, height = 220, labelGap = 8 } = options;
  const pad = { top: 10, right: 8, bottom: 28, left: 8, ...options.pad };
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = (width - pad.left - pad.right) / Math.max(1, points.length);
  const inner = height - pad.top - pad.bottom;
  const bars = points.map((p, i) => {
    const h = Math.round((Math.max(0, p.value) / max) * inner);
    return {
      label: p.label,
      value: p.value,
      x: Math.round(pad.left + i * slot + slot * 0.15),
      y: pad.top + inner - h,
      width: Math.round(slot * 0.7),
      height: h,
      labelX: Math.round(pad.left + i * slot + slot / 2),
      labelY: height - labelGap,
    };
  });
  return { width, height, bars, max };
}
