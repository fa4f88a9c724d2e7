import { chartGeometry } from './chart-geometry';

const box = { width: 100, height: 50, padding: 5 };

describe('chartGeometry', () => {
  it('draws nothing for no values', () => {
    expect(chartGeometry([], box)).toEqual({ line: '', area: '', last: null, min: 0, max: 0 });
  });

  it('spreads points evenly and scales them between min (bottom) and max (top)', () => {
    const g = chartGeometry([1, 3, 2], box);
    expect(g.line).toBe('M5 45 L50 5 L95 25');
    expect(g.area).toBe('M5 45 L50 5 L95 25 L95 45 L5 45 Z');
    expect(g.last).toEqual({ x: 95, y: 25 });
    expect([g.min, g.max]).toEqual([1, 3]);
  });

  it('puts a flat series in the middle, and a single point in the centre', () => {
    expect(chartGeometry([7, 7], box).line).toBe('M5 25 L95 25');
    expect(chartGeometry([7], box).last).toEqual({ x: 50, y: 25 });
  });
});
