import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';
import { devSecretFiles, withDevSecrets } from './dev_secrets.ts';
import { deriveServerKey } from './tickets/keys.ts';

let dir: string;
const quiet = () => {};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickr-secrets-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('development secrets in the data folder', () => {
  it('are made once, private to their owner (0600), and the same on every later start', async () => {
    const first = await withDevSecrets(readConfig({ TICKR_DATA_DIR: dir }), quiet);
    for (const name of Object.values(devSecretFiles)) expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
    const second = await withDevSecrets(readConfig({ TICKR_DATA_DIR: dir }), quiet);
    expect(Buffer.from(second.tokenSecret)).toEqual(Buffer.from(first.tokenSecret));
    expect(second.ticketServerKey).toEqual(first.ticketServerKey);
    expect(second.tokenSecretEphemeral || second.ticketKeySecretEphemeral).toBe(false);
    const kept = (await readFile(join(dir, devSecretFiles.ticketKey), 'utf8')).trim();
    expect(second.ticketServerKey).toEqual(deriveServerKey(kept));
  });

  it('agree between processes that start at the same moment', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => withDevSecrets(readConfig({ TICKR_DATA_DIR: dir }), quiet)));
    expect(new Set(all.map((c) => Buffer.from(c.tokenSecret).toString())).size).toBe(1);
    expect(new Set(all.map((c) => c.ticketServerKey.toString('hex'))).size).toBe(1);
  });

  it('give way to the environment: a secret set there is used and not written', async () => {
    const env = { TICKR_DATA_DIR: dir, TICKR_TOKEN_SECRET: 'from-the-environment-0123456789abcdef' };
    const config = await withDevSecrets(readConfig(env), quiet);
    expect(Buffer.from(config.tokenSecret).toString()).toBe(env.TICKR_TOKEN_SECRET);
    await expect(stat(join(dir, devSecretFiles.token))).rejects.toThrow(/ENOENT/);
  });

  it('close a file someone widened, and refuse one that holds no usable secret', async () => {
    await writeFile(join(dir, devSecretFiles.token), `${'w'.repeat(64)}\n`, { mode: 0o644 });
    await withDevSecrets(readConfig({ TICKR_DATA_DIR: dir }), quiet);
    expect((await stat(join(dir, devSecretFiles.token))).mode & 0o777).toBe(0o600);
    await writeFile(join(dir, devSecretFiles.ticketKey), 'short\n', { mode: 0o600 });
    await expect(withDevSecrets(readConfig({ TICKR_DATA_DIR: dir }), quiet)).rejects.toThrow(ConfigError);
  });
});
