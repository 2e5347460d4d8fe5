/**
 * The peer baselines the `holds` scenario can run next to Tickr, by name.
 * Apart from their code so that options.ts can check `--baselines` without
 * loading pg or ioredis.
 */

export const baselineNames = ['row-lock', 'advisory-lock', 'skip-locked', 'redis-lua', 'redis-lua-aof'] as const;
export type BaselineName = (typeof baselineNames)[number];

/** Without `--baselines`: every one. redis-lua-aof is the fair competitor: durable, as Tickr's answers are. */
export const defaultBaselines: BaselineName[] = ['row-lock', 'advisory-lock', 'skip-locked', 'redis-lua', 'redis-lua-aof'];

export function isBaselineName(name: string): name is BaselineName {
  return (baselineNames as readonly string[]).includes(name);
}

/** The ones that keep their stock in PostgreSQL (the others in Redis). */
export function usesPostgres(name: BaselineName): name is 'row-lock' | 'advisory-lock' | 'skip-locked' {
  return name === 'row-lock' || name === 'advisory-lock' || name === 'skip-locked';
}
