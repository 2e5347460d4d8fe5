import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './options.ts';

describe('the command line', () => {
  it('runs every default baseline unless told otherwise', () => {
    expect(parseCommandLine(['holds'], {}).options.baselines).toEqual(['group-commit', 'group-commit-worker', 'row-lock', 'advisory-lock', 'skip-locked', 'redis-lua', 'redis-lua-aof']);
  });

  it('takes --baselines in its order, --redis-durable adds redis-lua-aof, --no-baselines none', () => {
    expect(parseCommandLine(['holds', '--baselines', 'redis-lua,row-lock,row-lock'], {}).options.baselines).toEqual(['redis-lua', 'row-lock']);
    expect(parseCommandLine(['holds', '--redis-durable'], {}).options.baselines).toContain('redis-lua-aof');
    expect(parseCommandLine(['holds', '--baselines', 'redis-lua', '--redis-durable'], {}).options.baselines).toEqual(['redis-lua', 'redis-lua-aof']);
    expect(parseCommandLine(['holds', '--no-baselines'], {}).options.baselines).toEqual([]);
  });

  it('takes --profile, with a label for its section, and no label without it', () => {
    expect(parseCommandLine(['holds', '--profile'], {}).options).toMatchObject({ profile: true, profileLabel: 'current' });
    expect(parseCommandLine(['holds', '--profile', '--profile-label', 'before'], {}).options).toMatchObject({ profile: true, profileLabel: 'before' });
    expect(parseCommandLine(['holds'], {}).options.profile).toBeUndefined();
    expect(() => parseCommandLine(['holds', '--profile-label', 'x'], {})).toThrow(/goes with --profile/);
  });

  it('refuses an unknown baseline, and both --baselines and --no-baselines', () => {
    expect(() => parseCommandLine(['holds', '--baselines', 'row-lock,mutex'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['holds', '--baselines', 'row-lock', '--no-baselines'], {})).toThrow(/one or the other/);
  });
});

describe('defaults', () => {
  it('holds runs 10, 100 and 1000 connections; --quick one load of 100 and a smaller stock', () => {
    expect(parseCommandLine(['holds'], {}).options).toMatchObject({ connections: [10, 100, 1000], capacity: 5_000_000, durationS: 10 });
    expect(parseCommandLine(['holds', '--quick'], {}).options).toMatchObject({ connections: [100], capacity: 200_000, durationS: 3 });
    expect(parseCommandLine(['holds', '--connections', '7'], {}).options.connections).toEqual([7]);
    expect(parseCommandLine(['forward'], {}).options.connections).toEqual([100]);
    expect(parseCommandLine(['tickets', '--capacity', '500'], {}).options).toMatchObject({ capacity: 500, capacityGiven: true });
  });
});
