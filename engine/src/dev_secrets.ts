import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from './assert.ts';
import { ConfigError, secretCharsMin, type Config } from './config.ts';
import type { Logger } from './log.ts';
import { deriveServerKey } from './tickets/keys.ts';

/**
 * Development secrets that outlive the process. A secret made up at every
 * start ends every session at a restart and, worse, strands every event key
 * sealed before it: paid orders could no longer be ticketed. So `npm start`
 * makes each secret once, keeps it in the data folder (mode 0600, beside the
 * embedded database it goes with) and reads it back on every start.
 * Production never comes here: readConfig refuses to start without the
 * secrets in the environment.
 */
export const devSecretFiles = { token: 'token-secret', ticketKey: 'ticket-key-secret' } as const;

/** The config with every secret the environment left unset taken from (or first written to) `config.dataDir`. */
export async function withDevSecrets(config: Config, log: Logger): Promise<Config> {
  if (!config.tokenSecretEphemeral && !config.ticketKeySecretEphemeral) return config;
  assert(!config.production, 'production must have refused to start without its secrets');
  const resolved = { ...config };
  if (config.tokenSecretEphemeral) {
    resolved.tokenSecret = new TextEncoder().encode(await keptSecret(config.dataDir, devSecretFiles.token, log));
    resolved.tokenSecretEphemeral = false;
  }
  if (config.ticketKeySecretEphemeral) {
    resolved.ticketServerKey = deriveServerKey(await keptSecret(config.dataDir, devSecretFiles.ticketKey, log));
    resolved.ticketKeySecretEphemeral = false;
  }
  return resolved;
}

/**
 * The secret in `dir/name`, made on first use. Several processes may start
 * at once (nodes, tests, `tickr jobs`): the new secret is written whole to a
 * file of our own, then linked into place, which fails if another process
 * won; everyone then reads the winner's.
 */
async function keptSecret(dir: string, name: string, log: Logger): Promise<string> {
  const path = join(dir, name);
  const existing = await readSecretFile(path);
  if (existing !== null) return existing;
  await mkdir(dir, { recursive: true });
  const mine = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(mine, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600 });
  try {
    await link(mine, path);
    log('info', `made a development secret in ${path} (mode 0600); it is reused on every start`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(mine, { force: true });
  }
  const kept = await readSecretFile(path);
  if (kept === null) throw new ConfigError(`${path} vanished while it was being made; start again`);
  return kept;
}

async function readSecretFile(path: string): Promise<string | null> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const secret = text.trim();
  if (secret.length < secretCharsMin) {
    throw new ConfigError(`${path} holds no usable secret (fewer than ${secretCharsMin} characters); delete it to make a new one, or set the variable it stands for`);
  }
  // Someone widened it (a copy, an editor): the secret is still ours to keep private.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return secret;
}
