import { describe, expect, it } from 'vitest';
import { chartGeometry, cumulative, niceStep } from './chart.ts';

describe('sales chart', () => {
  it('picks round gridline steps', () => {
    expect(niceStep(7)).toBe(2);
    expect(niceStep(40)).toBe(10);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(930)).toBe(500);
  });

  it('adds up sales per bucket into a running total from zero', () => {
    const series = cumulative([{ at: '2027-01-01T10:01:00Z', tickets: 3 }, { at: '2027-01-01T10:03:00Z', tickets: 2 }], 60_000);
    expect(series.map((p) => p.tickets)).toEqual([0, 3, 5]);
    expect(series[0]!.at).toBe(Date.parse('2027-01-01T10:00:00Z'));
  });

  it('draws inside its box, the last point at the top right when it is the maximum', () => {
    const g = chartGeometry([{ at: 0, tickets: 0 }, { at: 10, tickets: 4 }, { at: 20, tickets: 10 }], 300, 100)!;
    expect(g.max).toBe(10);
    expect(g.line.startsWith('M0.0,100.0')).toBe(true);
    expect(g.line.endsWith('H300.0 V0.0')).toBe(true);
    expect(g.yTicks.map((t) => t.value)).toEqual([0, 5, 10]);
    expect(chartGeometry([{ at: 0, tickets: 0 }], 300, 100)).toBeNull();
  });
});
