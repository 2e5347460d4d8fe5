import { describe, expect, it } from 'vitest';
import { rowOf } from './scenarios/wire.ts';
import { renderWireTable, runWireMicro } from './wire_micro.ts';

describe('runWireMicro', () => {
  it('round-trips batches through a real worker with both codecs', async () => {
    const result = await runWireMicro({ seconds: 0.1, warmupSeconds: 0.05, batchSizes: [1, 100], rounds: 1 });
    expect(result.cases.map((c) => c.name)).toEqual(['clone-1', 'msgpack-1', 'clone-100', 'msgpack-100']);
    for (const c of result.cases) {
      expect(c.batches).toBeGreaterThan(0);
      expect(c.commandsPerSecond).toBeCloseTo(c.batchesPerSecond * c.batchSize, 3);
      expect(c.p99Ms).toBeGreaterThanOrEqual(c.p50Ms);
      expect(c.frameBytesOut === null).toBe(c.wire === 'clone');
    }
    const packed = result.cases.find((c) => c.name === 'msgpack-100')!;
    expect(packed.frameBytesOut).toBeGreaterThan(100);
    expect(rowOf(packed)).toMatchObject({ name: 'msgpack-100', batchSize: 100, errors: 0 });
    expect(renderWireTable(result).split('\n')).toHaveLength(2 + 4);
  });
});
