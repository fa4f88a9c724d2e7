/** The drawing box of a chart, in SVG user units. */
export interface ChartBox {
  readonly width: number;
  readonly height: number;
  readonly padding: number;
}

/** What an SVG line chart needs to draw a series. */
export interface ChartGeometry {
  /** `d` of the line through every point; empty when there is nothing to draw. */
  readonly line: string;
  /** `d` of the area under the line, closed along the bottom edge. */
  readonly area: string;
  /** The last point, to mark the newest reading. */
  readonly last: { readonly x: number; readonly y: number } | null;
  readonly min: number;
  readonly max: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays a series of values out in a box: x evenly spaced, y scaled between the series' min and max
 * (a flat series sits in the middle).
 *
 * @example
 * chartGeometry([1, 3, 2], { width: 100, height: 50, padding: 5 }).line; // 'M5 45 L50 5 L95 25'
 */
export function chartGeometry(values: readonly number[], box: ChartBox): ChartGeometry {
  if (values.length === 0) {
    return { line: '', area: '', last: null, min: 0, max: 0 };
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  const innerW = box.width - 2 * box.padding;
  const innerH = box.height - 2 * box.padding;
  const stepX = values.length > 1 ? innerW / (values.length - 1) : 0;
  const points = values.map((value, i) => ({
    x: round(box.padding + (values.length > 1 ? i * stepX : innerW / 2)),
    y: round(
      max === min
        ? box.padding + innerH / 2
        : box.padding + innerH - ((value - min) / (max - min)) * innerH,
    ),
  }));
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  const bottom = box.height - box.padding;
  const first = points[0];
  const last = points[points.length - 1];
  const area = `${line} L${last.x} ${bottom} L${first.x} ${bottom} Z`;
  return { line, area, last, min, max };
}
