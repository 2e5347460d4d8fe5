import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/*
 * docker-compose.yml runs the production image. It once shipped a default
 * TICKR_TOKEN_SECRET, with which anyone could forge an operator's token, and
 * seeded the demo accounts. `docker compose config` must fail without the
 * secrets (checked by hand: `docker compose config` exits 1 naming the
 * variable, and passes once both are set); this test keeps the file so.
 */

const compose = await readFile(new URL('../docker-compose.yml', import.meta.url), 'utf8');
const secretNames = ['TICKR_TOKEN_SECRET', 'TICKR_TICKET_KEY_SECRET', 'TICKR_CLUSTER_SECRET'];

describe('docker-compose.yml', () => {
  it('requires each secret from the environment, with no default anyone could know', () => {
    for (const name of secretNames) {
      const values = [...compose.matchAll(new RegExp(`^\\s*${name}:\\s*(.+)$`, 'gm'))].map((m) => m[1]!.trim());
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) expect(value).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]*set ${name}`));
    }
  });

  it('gives the secrets to every service that runs Tickr', () => {
    // The engine nodes (through the x-engine anchor) and the migrate service.
    expect(compose.match(/<<: \*secrets/g)?.length).toBe(2);
    expect(compose).toMatch(/environment: &engine-env(\n\s+[A-Z_]+: [^\n]+)*\n\s+<<: \*secrets/);
    expect(compose).toMatch(/migrate:[\s\S]*?environment:\n\s+<<: \*secrets/);
  });

  it('seeds no demo accounts', () => {
    expect(compose).not.toMatch(/TICKR_SEED_DEMO:\s*["']?(1|true|\$\{TICKR_SEED_DEMO:-1)/);
  });

  it('publishes PostgreSQL, Redis and LocalStack on loopback only: from the network they would be a known password and no password', () => {
    const published = [...compose.matchAll(/^\s+- "([^"]+)"$/gm)].map((m) => m[1]!);
    for (const port of ['5432', '6379', '4566']) {
      const mapping = published.filter((p) => p.endsWith(`:${port}`));
      expect(mapping).toEqual([`127.0.0.1:${port}:${port}`]);
    }
  });

  it('passes every payment provider\'s settings through to the nodes, so production can sell with any of them', () => {
    const names = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'CLICTOPAY_USERNAME', 'CLICTOPAY_PASSWORD', 'CLICTOPAY_URL', 'KONNECT_API_KEY', 'KONNECT_WALLET_ID', 'KONNECT_URL'];
    for (const name of names) expect(compose).toMatch(new RegExp(`^\\s+${name}: \\$\\{${name}:-\\}$`, 'm'));
  });
});
