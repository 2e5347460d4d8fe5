import type { Config } from './config.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: Level, msg: string) => void;

const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One line per message on stderr, stdout stays free for what a person asked for (URLs, reports). */
export function createLogger(config: Pick<Config, 'logLevel' | 'nodeId'>): Logger {
  const min = rank[config.logLevel];
  return (level, msg) => {
    if (rank[level] < min) return;
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${config.nodeId}] ${msg}\n`);
  };
}
