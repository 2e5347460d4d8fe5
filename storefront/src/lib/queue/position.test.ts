import { describe, expect, it } from 'vitest';
import { position, saleOpensInMs, tickOf, waitingCount, type QueueTick } from './position.ts';

const t0 = Date.parse('2027-07-10T20:00:00Z');

function tick(over: Partial<QueueTick> = {}): QueueTick {
  return { state: 'open', head: 100, placed: 1000, joined: 1000, drawn: true, stockLeft: 500, msPerPlace: 600, ratePerMinute: 100, saleStartsAt: t0 - 60_000, at: t0, ...over };
}

describe('position', () => {
  it('counts the people ahead and the wait from the head', () => {
    const p = position(tick(), 150, t0);
    expect(p.phase).toBe('queued');
    expect(p.ahead).toBe(49);
    expect(p.etaMs).toBe(50 * 600);
  });

  it('subtracts the time since the tick was taken from the wait', () => {
    expect(position(tick({ at: new Date(t0).toISOString() }), 150, t0 + 10_000).etaMs).toBe(50 * 600 - 10_000);
    expect(position(tick(), 150, t0 + 10 * 60_000).etaMs).toBe(0);
  });

  it('admits a place at or behind the head', () => {
    expect(position(tick(), 100, t0)).toMatchObject({ phase: 'admitted', ahead: 0, etaMs: 0, progress: 1 });
    expect(position(tick(), 3, t0).phase).toBe('admitted');
  });

  it('says paused rather than admitted while admission is paused', () => {
    expect(position(tick({ state: 'paused' }), 50, t0).phase).toBe('paused');
    const waiting = position(tick({ state: 'paused', msPerPlace: null }), 150, t0);
    expect(waiting).toMatchObject({ phase: 'paused', ahead: 49, etaMs: null });
  });

  it('says sold out whatever the place', () => {
    expect(position(tick({ state: 'sold_out' }), 150, t0).phase).toBe('sold_out');
    expect(position(tick({ state: 'sold_out' }), null, t0).phase).toBe('sold_out');
  });

  it('waits for the draw until sale start when the lottery has not given a place', () => {
    const p = position(tick({ state: 'waiting', head: 0, drawn: false, saleStartsAt: t0 + 90_000 }), null, t0);
    expect(p).toMatchObject({ phase: 'drawing', place: null, etaMs: 90_000, progress: 0 });
  });

  it('has no wait estimate while the head is not moving', () => {
    expect(position(tick({ msPerPlace: null }), 150, t0).etaMs).toBeNull();
    expect(position(tick({ state: 'all_held' }), 150, t0)).toMatchObject({ phase: 'all_held', etaMs: null });
  });

  it('measures progress from where the waiter started, full at "you are next"', () => {
    expect(position(tick({ head: 100 }), 201, t0, 0).progress).toBe(0.5);
    expect(position(tick({ head: 150 }), 201, t0, 100).progress).toBe(0.5);
    expect(position(tick({ head: 100 }), 200, t0, 100).progress).toBe(0);
    const next = position(tick({ head: 199 }), 200, t0, 100);
    expect(next).toMatchObject({ phase: 'queued', ahead: 0, progress: 1 });
    // Joined as the very next place: nothing left to move, already full.
    expect(position(tick({ head: 199 }), 200, t0, 199).progress).toBe(1);
  });

  it('moves the bar forward only, never past full, as the head moves', () => {
    let last = -1;
    for (let head = 100; head < 300; head++) {
      const p = position(tick({ head }), 300, t0, 100).progress;
      expect(p).toBeGreaterThanOrEqual(last);
      expect(p).toBeLessThanOrEqual(1);
      last = p;
    }
    expect(last).toBe(1);
  });
});

describe('saleOpensInMs', () => {
  it('counts down to sale start, then is null', () => {
    expect(saleOpensInMs({ saleStartsAt: t0 + 90_000 }, t0)).toBe(90_000);
    expect(saleOpensInMs({ saleStartsAt: new Date(t0 + 1_000).toISOString() }, t0)).toBe(1_000);
    expect(saleOpensInMs({ saleStartsAt: t0 }, t0)).toBeNull();
    expect(saleOpensInMs({ saleStartsAt: null }, t0)).toBeNull();
  });
});

describe('waitingCount', () => {
  it('counts joiners before the draw, and only those behind the head after', () => {
    expect(waitingCount({ state: 'waiting', joined: 420, placed: 0, head: 0 })).toBe(420);
    expect(waitingCount({ state: 'open', joined: 1000, placed: 1000, head: 100 })).toBe(900);
    expect(waitingCount({ state: 'open', joined: 1000, placed: 1000, head: 1000 })).toBe(0);
    expect(waitingCount({ state: 'sold_out', joined: 1000, placed: 1000, head: 10 })).toBe(0);
  });
});

describe('tickOf', () => {
  it('reads a bare status and a wrapped one, and refuses anything else', () => {
    expect(tickOf(tick())?.head).toBe(100);
    expect(tickOf({ type: 'tick', queue: tick({ head: 7 }) })?.head).toBe(7);
    expect(tickOf({ status: tick({ head: 8 }) })?.head).toBe(8);
    expect(tickOf({ hello: 1 })).toBeNull();
    expect(tickOf('x')).toBeNull();
  });
});
