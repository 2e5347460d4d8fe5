import { rename, writeFile } from 'node:fs/promises';
import type { Lab, Tools } from './lab.ts';
import type { Stack, ChaosNode } from './stack.ts';

/** A small fast seeded generator (mulberry32): one seed, one schedule. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type FaultKind =
  | 'partition-redis'
  | 'partition-postgres'
  | 'partition-peers'
  | 'partition-all'
  | 'loss'
  | 'delay'
  | 'skew-back+partition-redis'
  | 'skew-forward';

export const faultKinds: FaultKind[] = [
  'partition-redis', 'partition-postgres', 'partition-peers', 'partition-all', 'loss', 'delay', 'skew-back+partition-redis', 'skew-forward',
];

export type Fault = { kind: FaultKind; node: string; holdMs: number; detail: string };

/** Why a fault cannot be made on this machine, or null. */
export function unsupported(kind: FaultKind, tools: Tools): string | null {
  if (kind === 'loss' && !tools.nft && !tools.iptables) return 'neither nft nor iptables is installed (apt-get install -y nftables)';
  if (kind === 'delay' && !tools.netem && !tools.tbf) return 'the kernel has neither the netem nor the tbf qdisc';
  return null;
}

/**
 * The faults of a run, in order: every kind once in a seeded order, then
 * again, and so on, each on a seeded node and held a seeded time between 1.5
 * lease TTLs and 3 TTLs + 2 s (past the 5 s membership TTL sometimes, so the
 * others take over, sometimes not).
 */
export function plan(opts: { random: () => number; count: number; nodes: string[]; leaseTtlMs: number; tools: Tools; kinds?: FaultKind[] }): { faults: Fault[]; skipped: { kind: FaultKind; reason: string }[] } {
  const { random } = opts;
  const wanted = opts.kinds ?? faultKinds;
  const skipped = wanted.flatMap((kind) => {
    const reason = unsupported(kind, opts.tools);
    return reason === null ? [] : [{ kind, reason }];
  });
  const kinds = wanted.filter((k) => unsupported(k, opts.tools) === null);
  const faults: Fault[] = [];
  while (faults.length < opts.count) {
    const round = [...kinds];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    for (const kind of round) {
      if (faults.length >= opts.count) break;
      const node = opts.nodes[Math.floor(random() * opts.nodes.length)]!;
      const holdMs = Math.round(1.5 * opts.leaseTtlMs + random() * (1.5 * opts.leaseTtlMs + 2_000));
      faults.push({ kind, node, holdMs, detail: describe(kind, opts.leaseTtlMs, opts.tools, random) });
    }
  }
  return { faults, skipped };
}

function describe(kind: FaultKind, ttl: number, tools: Tools, random: () => number): string {
  switch (kind) {
    case 'partition-redis': return 'blackhole route to Redis';
    case 'partition-postgres': return 'blackhole route to PostgreSQL';
    case 'partition-peers': return 'blackhole routes to every other node';
    case 'partition-all': return 'blackhole routes to Redis, PostgreSQL and every other node';
    case 'loss': return `${10 + Math.floor(random() * 21)}% of packets dropped each way (${tools.nft ? 'nft numgen' : 'iptables statistic'})`;
    case 'delay': return tools.netem ? `netem delay ${50 + Math.floor(random() * 150)}ms ±20ms` : `tbf 512kbit, queue up to 200ms (no netem in this kernel)`;
    case 'skew-back+partition-redis': return `lease clock jumped back ${3 * ttl} ms, and cut from Redis`;
    case 'skew-forward': return `lease clock jumped forward ${3 * ttl} ms`;
  }
}

/** Applies `fault`; returns what takes it back. */
export async function apply(stack: Stack, fault: Fault): Promise<() => Promise<void>> {
  const lab: Lab = stack.lab;
  const node = stack.nodes.find((n) => n.name === fault.node)!;
  const m = node.member;
  const peers = stack.nodes.filter((n) => n !== node).map((n) => n.member);
  const heal = () => lab.heal(m);
  switch (fault.kind) {
    case 'partition-redis':
      await lab.cut(m, [stack.redis]);
      return heal;
    case 'partition-postgres':
      await lab.cut(m, [stack.pg]);
      return heal;
    case 'partition-peers':
      await lab.cut(m, peers);
      return heal;
    case 'partition-all':
      await lab.cut(m, [stack.redis, stack.pg, ...peers]);
      return heal;
    case 'loss':
      await lab.lose(m, Number(/^(\d+)%/.exec(fault.detail)![1]));
      return heal;
    case 'delay': {
      const ms = /netem delay (\d+)ms/.exec(fault.detail);
      if (ms) await lab.delay(m, Number(ms[1]), 20);
      else await lab.slow(m, 512, 200);
      return heal;
    }
    case 'skew-back+partition-redis':
      await skew(node, -3 * stack.leaseTtlMs);
      await lab.cut(m, [stack.redis]);
      return async () => {
        await heal();
        await skew(node, 0);
      };
    case 'skew-forward':
      await skew(node, 3 * stack.leaseTtlMs);
      return () => skew(node, 0);
  }
}

/** Sets the node's lease clock offset; the node reads it within 100 ms (engine/src/leases/skewed_clock.ts). */
async function skew(node: ChaosNode, offsetMs: number): Promise<void> {
  // Written aside, then renamed: the node never reads a half-written file.
  await writeFile(`${node.skewFile}.new`, String(offsetMs));
  await rename(`${node.skewFile}.new`, node.skewFile);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
