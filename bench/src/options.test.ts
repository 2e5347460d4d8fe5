import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './options.ts';

describe('the command line', () => {
  it('runs every default baseline unless told otherwise', () => {
    expect(parseCommandLine(['holds'], {}).options.baselines).toEqual(['row-lock', 'advisory-lock', 'skip-locked', 'redis-lua']);
  });

  it('takes --baselines in its order, --redis-durable adds redis-lua-aof, --no-baselines none', () => {
    expect(parseCommandLine(['holds', '--baselines', 'redis-lua,row-lock,row-lock'], {}).options.baselines).toEqual(['redis-lua', 'row-lock']);
    expect(parseCommandLine(['holds', '--redis-durable'], {}).options.baselines).toContain('redis-lua-aof');
    expect(parseCommandLine(['holds', '--baselines', 'redis-lua', '--redis-durable'], {}).options.baselines).toEqual(['redis-lua', 'redis-lua-aof']);
    expect(parseCommandLine(['holds', '--no-baselines'], {}).options.baselines).toEqual([]);
  });

  it('refuses an unknown baseline, and both --baselines and --no-baselines', () => {
    expect(() => parseCommandLine(['holds', '--baselines', 'row-lock,mutex'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['holds', '--baselines', 'row-lock', '--no-baselines'], {})).toThrow(/one or the other/);
  });
});
