import { describe, expect, it } from 'vitest';
import { Recent } from './recent.ts';

/** Keys per scope around which an earlier design changed structure (a list, then a Map): still worth testing across. */
const scopeListMax = 8;

type Value = { at: number; name: string; pinned?: boolean };

describe('Recent with scopes', () => {
  it('keeps the same key apart in two scopes, and apart from an unscoped key', () => {
    const recent = new Recent<Value>(10, 1_000);
    recent.set('k', { at: 0, name: 'ann' }, 0, 'ann');
    recent.set('k', { at: 0, name: 'bob' }, 0, 'bob');
    recent.set('k', { at: 0, name: 'plain' }, 0);
    expect(recent.get('k', 1, 'ann')?.name).toBe('ann');
    expect(recent.get('k', 1, 'bob')?.name).toBe('bob');
    expect(recent.get('k', 1)?.name).toBe('plain');
    expect(recent.get('k', 1, 'cat')).toBeUndefined();
    expect(recent.size).toBe(3);
  });

  it('holds several keys in one scope, and replaces a key set again', () => {
    const recent = new Recent<Value>(10, 1_000);
    for (const key of ['a', 'b', 'c']) recent.set(key, { at: 0, name: key }, 0, 'ann');
    recent.set('b', { at: 1, name: 'b again' }, 1, 'ann');
    expect(recent.get('a', 2, 'ann')?.name).toBe('a');
    expect(recent.get('b', 2, 'ann')?.name).toBe('b again');
    expect(recent.peek('c', 'ann')?.name).toBe('c');
    expect(recent.size).toBe(3);
  });

  it('drops the oldest entry from the middle of its scope, and keeps the rest of the scope', () => {
    const recent = new Recent<Value>(3, 1_000);
    recent.set('a', { at: 0, name: 'a' }, 0, 'ann');
    recent.set('b', { at: 1, name: 'b' }, 1, 'ann');
    recent.set('c', { at: 2, name: 'c' }, 2, 'ann');
    // Set again, 'a' moves to the back of the line; 'b' is now the oldest.
    recent.set('a', { at: 3, name: 'a again' }, 3, 'ann');
    recent.set('d', { at: 4, name: 'd' }, 4, 'bob');
    expect(recent.get('b', 5, 'ann')).toBeUndefined();
    expect(recent.get('a', 5, 'ann')?.name).toBe('a again');
    expect(recent.get('c', 5, 'ann')?.name).toBe('c');
    expect(recent.get('d', 5, 'bob')?.name).toBe('d');
    expect(recent.size).toBe(3);
  });

  it('forgets a whole scope once its last entry goes, and keeps pinned entries past the bound and the TTL', () => {
    const recent = new Recent<Value>(2, 100, (v) => v.pinned === true);
    recent.set('open', { at: 0, name: 'open', pinned: true }, 0, 'ann');
    recent.set('done', { at: 0, name: 'done' }, 0, 'ann');
    for (let i = 0; i < 20; i++) recent.set(`k${i}`, { at: i, name: `k${i}` }, i, `buyer${i}`);
    expect(recent.peek('done', 'ann')).toBeUndefined();
    expect(recent.get('open', 10_000, 'ann')?.name).toBe('open');
    expect(recent.peek('k0', 'buyer0')).toBeUndefined();
    expect(recent.get('k19', 19, 'buyer19')?.name).toBe('k19');
    expect(recent.get('k19', 119, 'buyer19')).toBeUndefined();
    expect(recent.size).toBeLessThanOrEqual(3);
  });
});

describe('Recent over many entries', () => {
  it('keeps the latest entries and every pinned one while its slots are reused and its arrays grow', () => {
    const max = 1_500;
    const recent = new Recent<Value>(max, 1_000_000, (v) => v.pinned === true);
    const latest = new Map<string, Value>();
    const pinned: [string, string][] = [];
    const order: [string, string][] = [];
    for (let i = 0; i < 6_000; i++) {
      // 40 scopes, keys that come back now and then (a replace), one pinned entry in 97.
      const scope = `buyer${i % 40}`;
      const key = `k${i % 7 === 0 ? i % 350 : i}`;
      const value: Value = { at: i, name: `v${i}`, pinned: i % 97 === 0 };
      recent.set(key, value, i, scope);
      latest.set(`${scope}/${key}`, value);
      if (value.pinned === true) pinned.push([scope, key]);
      order.push([scope, key]);
    }
    for (const [scope, key] of pinned) if (latest.get(`${scope}/${key}`)!.pinned === true) expect(recent.peek(key, scope)?.pinned).toBe(true);
    for (const [scope, key] of order.slice(-500)) expect(recent.get(key, 6_000, scope)).toBe(latest.get(`${scope}/${key}`));
    let gone = 0;
    for (const [scope, key] of order.slice(0, 1_000)) {
      const last = latest.get(`${scope}/${key}`)!;
      if (last.pinned === true || last.at >= 1_000) continue;
      expect(recent.peek(key, scope)).toBeUndefined();
      gone++;
    }
    expect(gone).toBeGreaterThan(500);
    expect(recent.size).toBeLessThanOrEqual(max + pinned.length);
  });
});

describe('Recent with a scope of many keys', () => {
  it('answers the latest value of a key, keeps the recent and the pinned ones, whatever the scope size', () => {
    for (const keysPerScope of [1, scopeListMax, scopeListMax + 1, 40]) {
      const max = 60;
      const recent = new Recent<Value>(max, 1_000, (v) => v.pinned === true);
      // The model: the latest value of each key, in the order they were set.
      let model: { scope: string; key: string; value: Value }[] = [];
      let at = 0;
      for (let i = 0; i < 400; i++, at++) {
        const scope = `b${i % 3}`;
        const key = `k${(i * 7) % (keysPerScope * 2)}`;
        const value: Value = { at, name: `${scope}/${key}@${i}`, pinned: i % 11 === 0 && i < 200 };
        recent.set(key, value, at, scope);
        model = model.filter((e) => !(e.scope === scope && e.key === key));
        model.push({ scope, key, value });
        // Never another value than the latest; pinned ones and the last `max / 2` set always there.
        model.forEach((e, n) => {
          const got = recent.get(e.key, at, e.scope);
          if (e.value.pinned || n >= model.length - max / 2) expect(got, `${keysPerScope} keys, step ${i}`).toBe(e.value);
          else if (got !== undefined) expect(got, `${keysPerScope} keys, step ${i}`).toBe(e.value);
        });
      }
      expect(recent.size).toBeLessThanOrEqual(max + model.filter((e) => e.value.pinned).length);
      expect(recent.get('k0', at, 'nobody')).toBeUndefined();
      // Past the TTL only pinned entries answer, and a scope that lost them all is gone.
      const later = at + 2_000;
      for (const e of model) expect(recent.get(e.key, later, e.scope)).toBe(e.value.pinned ? e.value : undefined);
    }
  });

  it('forgets entries dropped from a scope kept in a Map, and forgets the scope when its last one goes', () => {
    const recent = new Recent<Value>(scopeListMax + 4, 100);
    for (let i = 0; i < scopeListMax + 4; i++) recent.set(`k${i}`, { at: i, name: `k${i}` }, i, 'ann');
    expect(recent.size).toBe(scopeListMax + 4);
    recent.set('k0', { at: 50, name: 'k0 again' }, 50, 'ann');
    recent.set('x', { at: 51, name: 'x' }, 51, 'bob');
    expect(recent.peek('k1', 'ann')).toBeUndefined();
    expect(recent.get('k0', 52, 'ann')?.name).toBe('k0 again');
    // Long after: every entry of 'ann' lapses and is dropped as new ones come.
    for (let i = 0; i < 40; i++) recent.set(`y${i}`, { at: 1_000 + i, name: 'y' }, 1_000 + i, 'cat');
    for (let i = 0; i < scopeListMax + 4; i++) expect(recent.peek(`k${i}`, 'ann')).toBeUndefined();
    expect(recent.size).toBeLessThanOrEqual(scopeListMax + 4);
  });
});

describe('Recent over many scopes', () => {
  it('finds every live entry while dropped ones leave tombstones and the table is rebuilt and grows', () => {
    const recent = new Recent<Value>(3_000, 1_000_000, (v) => v.pinned === true);
    const pinned: Value[] = [];
    for (let i = 0; i < 40_000; i++) {
      const value: Value = { at: i, name: `b${i}/k${i % 3}`, pinned: i % 1_000 === 0 };
      recent.set(`k${i % 3}`, value, i, `b${i}`);
      if (value.pinned === true) pinned.push(value);
    }
    for (let i = 40_000 - 2_000; i < 40_000; i++) expect(recent.get(`k${i % 3}`, 40_000, `b${i}`)?.name).toBe(`b${i}/k${i % 3}`);
    for (const value of pinned) expect(recent.peek(value.name.split('/')[1]!, value.name.split('/')[0]!)).toBe(value);
    for (let i = 1; i < 30_000; i += 997) if (i % 1_000 !== 0) expect(recent.peek(`k${i % 3}`, `b${i}`)).toBeUndefined();
    expect(recent.get('k0', 40_000, 'b1')).toBeUndefined();
    expect(recent.size).toBeLessThanOrEqual(3_000 + pinned.length);
  });
});
