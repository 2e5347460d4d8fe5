import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/*
 * The chaos run's network: one network namespace per member (each node, Redis,
 * Postgres), each joined by a veth pair to a bridge of this run's own in the
 * root namespace, where the runner (the clients) sits at .1 of a /24 nobody on
 * the machine uses. Names carry a random run id, so parallel runs never meet.
 *
 * Faults are applied inside one member's namespace, so they touch that member
 * and nothing else:
 * - a partition is a blackhole route to the cut-off addresses: packets to them
 *   vanish without an error, as on a dead link, while the clients (on .1) still
 *   reach the member. It needs only iproute2, so it works on any kernel.
 *   Replies from the far side never arrive either, because what they answer was
 *   never sent; a connection the far side opens gets no SYN-ACK.
 * - loss is nftables' `numgen random` (or iptables' `statistic`) dropping a
 *   share of the member's packets in both directions;
 * - delay is `tc netem` where the kernel has it; a slow link (`tc tbf`, a low
 *   rate and a queue: queueing delay and tail drops) where it does not.
 */

export type Tools = { nft: boolean; iptables: boolean; netem: boolean; tbf: boolean };

/** Why namespaces cannot be made here, or null when they can. */
export async function labUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add); run as root';
  try {
    await exec('ip', ['-V']);
  } catch {
    return 'the ip command (iproute2) is missing: apt-get install -y iproute2';
  }
  const probe = `tkq${randomBytes(4).toString('hex')}`;
  try {
    await exec('ip', ['netns', 'add', probe]);
  } catch (error) {
    return `ip netns add failed (${(error as Error).message.trim().split('\n').pop()}): this machine does not allow network namespaces`;
  } finally {
    await exec('ip', ['netns', 'del', probe]).catch(() => {});
  }
  const bin = (name: string) => exec('which', [name]).then(() => true, () => false);
  if (!(await bin('redis-server'))) return 'redis-server is missing: apt-get install -y redis-server';
  return null;
}

async function tools(): Promise<Tools> {
  const has = (name: string) => exec('which', [name]).then(() => true, () => false);
  const [nft, iptables, tc] = await Promise.all([has('nft'), has('iptables'), has('tc')]);
  // Whether the kernel has the qdiscs: add one to a veth in a throwaway namespace.
  const qdisc = async (args: string[]) => {
    if (!tc) return false;
    const ns = `tkq${randomBytes(4).toString('hex')}`;
    try {
      await exec('ip', ['netns', 'add', ns]);
      await exec('ip', ['-n', ns, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
      await exec('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'd0', 'root', ...args]);
      return true;
    } catch {
      return false;
    } finally {
      await exec('ip', ['netns', 'del', ns]).catch(() => {});
    }
  };
  return { nft, iptables, netem: await qdisc(['netem', 'delay', '10ms']), tbf: await qdisc(['tbf', 'rate', '1mbit', 'burst', '16kb', 'latency', '100ms']) };
}

export type Member = { name: string; ns: string; ip: string; hostVeth: string };

export type Lab = {
  id: string;
  subnet: string;
  /** The runner's address on the bridge (clients talk from here). */
  hostIp: string;
  tools: Tools;
  members: Map<string, Member>;
  add: (name: string, octet: number) => Promise<Member>;
  /** Runs a command inside a member's namespace. */
  run: (member: Member, cmd: string, args: string[]) => Promise<string>;
  /** Drops everything `member` sends to `targets` (blackhole routes) until healed. */
  cut: (member: Member, targets: Member[]) => Promise<void>;
  /** Drops `percent` % of the member's packets, each way. Throws if neither nft nor iptables is here. */
  lose: (member: Member, percent: number) => Promise<void>;
  /** netem delay (± jitter) on the member's egress; throws when the kernel has no netem. */
  delay: (member: Member, ms: number, jitterMs: number) => Promise<void>;
  /** A slow link (tbf): `kbit` per second out of the member, queueing up to `latencyMs`. */
  slow: (member: Member, kbit: number, latencyMs: number) => Promise<void>;
  /** Takes back every fault of `member`. */
  heal: (member: Member) => Promise<void>;
  /** Kills what still runs in the namespaces (all of it started by this run), deletes them and the bridge. */
  destroy: () => Promise<void>;
};

async function freeSubnet(): Promise<string> {
  const { stdout } = await exec('ip', ['-4', '-o', 'addr']);
  const routes = (await exec('ip', ['-4', 'route'])).stdout;
  for (let i = 0; i < 50; i++) {
    const subnet = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}`;
    if (!stdout.includes(` ${subnet}.`) && !routes.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 for the chaos network');
}

export async function createLab(): Promise<Lab> {
  const id = randomBytes(3).toString('hex');
  const bridge = `tkc${id}`;
  const subnet = await freeSubnet();
  const hostIp = `${subnet}.1`;
  const members = new Map<string, Member>();
  const cuts = new Map<string, string[]>();
  const lossTool = new Map<string, 'nft' | 'iptables'>();
  const shaped = new Set<string>();
  const t = await tools();
  await exec('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await exec('ip', ['addr', 'add', `${hostIp}/24`, 'dev', bridge]);
  await exec('ip', ['link', 'set', bridge, 'up']);

  const run = async (m: Member, cmd: string, args: string[]) => (await exec('ip', ['netns', 'exec', m.ns, cmd, ...args])).stdout;

  const lab: Lab = {
    id,
    subnet,
    hostIp,
    tools: t,
    members,
    add: async (name, octet) => {
      const ns = `tickr-${id}-${name}`;
      const hostVeth = `tkv${id}${octet}`;
      const m: Member = { name, ns, ip: `${subnet}.${octet}`, hostVeth };
      await exec('ip', ['netns', 'add', ns]);
      members.set(name, m);
      await exec('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await exec('ip', ['link', 'set', hostVeth, 'master', bridge]);
      await exec('ip', ['link', 'set', hostVeth, 'up']);
      await exec('ip', ['-n', ns, 'addr', 'add', `${m.ip}/24`, 'dev', 'eth0']);
      await exec('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await exec('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      return m;
    },
    run,
    cut: async (m, targets) => {
      const ips = targets.map((x) => x.ip);
      for (const ip of ips) await exec('ip', ['-n', m.ns, 'route', 'add', 'blackhole', `${ip}/32`]);
      cuts.set(m.name, [...(cuts.get(m.name) ?? []), ...ips]);
    },
    lose: async (m, percent) => {
      if (t.nft) {
        const rule = (chain: string, hook: string) => [
          `add chain inet tickr_chaos ${chain} { type filter hook ${hook} priority 0 ; }`,
          `add rule inet tickr_chaos ${chain} numgen random mod 100 < ${percent} drop`,
        ];
        // nft joins its arguments into one command, so each line goes as a single argument.
        for (const line of ['add table inet tickr_chaos', ...rule('out', 'output'), ...rule('in', 'input')]) await run(m, 'nft', [line]);
        lossTool.set(m.name, 'nft');
        return;
      }
      if (t.iptables) {
        for (const chain of ['INPUT', 'OUTPUT']) {
          await run(m, 'iptables', ['-A', chain, '-m', 'statistic', '--mode', 'random', '--probability', String(percent / 100), '-j', 'DROP']);
        }
        lossTool.set(m.name, 'iptables');
        return;
      }
      throw new Error('neither nft nor iptables is installed: apt-get install -y nftables (or iptables)');
    },
    delay: async (m, ms, jitterMs) => {
      if (!t.netem) throw new Error('this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM)');
      await run(m, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${ms}ms`, `${jitterMs}ms`]);
      shaped.add(m.name);
    },
    slow: async (m, kbit, latencyMs) => {
      if (!t.tbf) throw new Error('this kernel has no tbf qdisc (CONFIG_NET_SCH_TBF)');
      await run(m, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '8kb', 'latency', `${latencyMs}ms`]);
      shaped.add(m.name);
    },
    heal: async (m) => {
      for (const ip of cuts.get(m.name) ?? []) await exec('ip', ['-n', m.ns, 'route', 'del', 'blackhole', `${ip}/32`]).catch(() => {});
      cuts.delete(m.name);
      const tool = lossTool.get(m.name);
      if (tool === 'nft') await run(m, 'nft', ['delete', 'table', 'inet', 'tickr_chaos']).catch(() => {});
      if (tool === 'iptables') await run(m, 'iptables', ['-F']).catch(() => {});
      lossTool.delete(m.name);
      if (shaped.has(m.name)) await run(m, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => {});
      shaped.delete(m.name);
    },
    destroy: async () => {
      for (const m of members.values()) {
        // Every process in this run's namespace was started by this run.
        const pids = (await exec('ip', ['netns', 'pids', m.ns]).then((r) => r.stdout, () => '')).split(/\s+/).filter(Boolean).map(Number);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await exec('ip', ['netns', 'del', m.ns]).catch(() => {});
      }
      members.clear();
      await exec('ip', ['link', 'del', bridge]).catch(() => {});
    },
  };
  return lab;
}
