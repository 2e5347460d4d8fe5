import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaseClock } from './skewed_clock.ts';

describe('the lease clock', () => {
  it('is Date.now itself without a skew file (production)', () => {
    expect(leaseClock(null).now).toBe(Date.now);
  });

  it('adds the offset written in the file, follows a rewrite, and reads a missing file as no skew', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickr-skew-'));
    const file = join(dir, 'skew');
    await writeFile(file, '-60000');
    const clock = leaseClock(file);
    try {
      // Minute-sized offsets against a tolerance of seconds: what is checked is the sign and size of the skew, not a timing.
      expect(clock.now() - Date.now()).toBeLessThan(-50_000);
      await writeFile(file, '60000');
      await expect.poll(() => clock.now() - Date.now(), { timeout: 5_000 }).toBeGreaterThan(50_000);
      await rm(file);
      await expect.poll(() => Math.abs(clock.now() - Date.now()), { timeout: 5_000 }).toBeLessThan(10_000);
    } finally {
      clock.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
