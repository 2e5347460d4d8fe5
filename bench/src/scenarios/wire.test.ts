import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../options.ts';
import { wire } from './wire.ts';

describe('wire scenario, tiny', () => {
  it('measures both codecs at every batch size in-process', async () => {
    const { options } = parseCommandLine(['wire', '--duration', '1'], {});
    const report = await wire.run({ ...options, warmupS: 0 });
    expect(report.results.map((r) => r.name).sort()).toEqual(['clone-1', 'clone-10', 'clone-100', 'clone-1000', 'msgpack-1', 'msgpack-10', 'msgpack-100', 'msgpack-1000']);
    for (const row of report.results) expect(row.requests).toBeGreaterThan(0);
  }, 60_000);
});
