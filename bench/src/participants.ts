import { tokenTtlSeconds } from '../../engine/src/constants.ts';
import { createPool } from '../../engine/src/db/pool.ts';
import { createTokens, type Tokens } from '../../edge/src/auth/tokens.ts';

/**
 * Buyers for a load run. The engine caps a buyer at perBuyerLimitMax tickets
 * per event (100), so a run of N holds of one ticket needs N / 100 buyers:
 * the pool makes fresh ones before the measured phase, never during it.
 *
 * Signing up through the API costs a scrypt hash per buyer (~125 ms on a
 * 2-core box): minutes for thousands. Bench buyers never sign in, so the pool
 * writes them straight into the node's PostgreSQL, all in one INSERT, with a
 * password hash that can never verify, and mints their access tokens here
 * with the node's own signing code and the secret the bench gave the node.
 * The scenario proves one such token against the node before it measures.
 */

/** Not `scrypt$N$r$p$salt$hash`: verifyPassword cannot read it, so it answers false for any password. */
export const disabledPasswordHash = 'scrypt$disabled';

/** What the pool needs of the node: where its database is, and the secret its tokens are signed with. */
export type NodeAccess = { databaseUrl: string; tokenSecret: string };

export type Participant = { id: string; name: string };

/** One statement: `count` participant accounts, numbered from first + 1, tagged so that runs never collide. */
export const insertParticipantsSql = `
  INSERT INTO accounts (email, password_hash, name, role)
  SELECT format('p%s-%s@bench.tickr.test', $2::int + g, $3::text), $4, 'Bench participant ' || ($2::int + g), 'participant'
  FROM generate_series(1, $1::int) AS g
  RETURNING id::text AS id, name`;

/** The node's own token code (edge/src/auth/tokens.ts), keyed with the node's secret, so minted tokens are the node's tokens. */
export function nodeTokens(tokenSecret: string): Tokens {
  return createTokens(new TextEncoder().encode(tokenSecret), tokenTtlSeconds);
}

export class ParticipantPool {
  private made = 0;
  private readonly tokens: Tokens;

  constructor(
    private readonly node: NodeAccess,
    private readonly tag: string,
  ) {
    this.tokens = nodeTokens(node.tokenSecret);
  }

  /** Creates `count` participants that no earlier take() handed out; returns their bearer tokens. */
  async take(count: number): Promise<string[]> {
    if (count <= 0) return [];
    const first = this.made;
    this.made += count;
    const db = createPool(this.node.databaseUrl, 1);
    let rows: Participant[];
    try {
      ({ rows } = await db.query<Participant>(insertParticipantsSql, [count, first, this.tag, disabledPasswordHash]));
    } finally {
      await db.end();
    }
    if (rows.length !== count) throw new Error(`bulk insert of ${count} participants returned ${rows.length} rows`);
    return Promise.all(rows.map((p) => this.tokens.sign({ sub: p.id, role: 'participant', name: p.name })));
  }

  get size(): number {
    return this.made;
  }
}
