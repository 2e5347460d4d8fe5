/**
 * The peer baselines the `holds` scenario can run next to Tickr, by name.
 * Apart from their code so that options.ts can check `--baselines` without
 * loading pg or ioredis.
 */

export const baselineNames = ['row-lock', 'advisory-lock', 'skip-locked', 'redis-lua', 'redis-lua-aof', 'group-commit', 'group-commit-worker'] as const;
export type BaselineName = (typeof baselineNames)[number];

/**
 * Without `--baselines`: every one, the floors first (right after Tickr, in
 * the same conditions). The group-commit ones are the floor (group_commit.ts):
 * what a durable hold costs at least on this machine; redis-lua-aof is the
 * fair competitor: durable, as Tickr's answers are.
 */
export const defaultBaselines: BaselineName[] = ['group-commit', 'group-commit-worker', 'row-lock', 'advisory-lock', 'skip-locked', 'redis-lua', 'redis-lua-aof'];

export function isBaselineName(name: string): name is BaselineName {
  return (baselineNames as readonly string[]).includes(name);
}

export type GroupCommitName = 'group-commit' | 'group-commit-worker';

/** The floors: stock in memory, holds group-committed to PostgreSQL. */
export function isGroupCommit(name: BaselineName): name is GroupCommitName {
  return name === 'group-commit' || name === 'group-commit-worker';
}

/** The ones that record their holds in PostgreSQL (the others in Redis). */
export function usesPostgres(name: BaselineName): name is 'row-lock' | 'advisory-lock' | 'skip-locked' | GroupCommitName {
  return name === 'row-lock' || name === 'advisory-lock' || name === 'skip-locked' || isGroupCommit(name);
}
