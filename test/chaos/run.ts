import { randomUUID } from 'node:crypto';
import { createEvent, signIn, signUp, type Call, type SignUpRole } from '../../engine/src/testing/kit.ts';
import { call, startClients, type Records, type World } from './clients.ts';
import { apply, plan, seeded, type Fault, type FaultKind } from './schedule.ts';
import { chaosOperator, startStack, type ChaosNode, type Stack } from './stack.ts';
import { settleSales, verify, type Findings } from './verify.ts';

export type ChaosOptions = {
  seed: number;
  /** Stop scheduling new faults after this long (the run then heals, settles and checks). */
  durationS: number;
  nodes: number;
  leaseTtlMs: number;
  /** At most this many faults, whatever the duration. */
  faultsMax?: number;
  /** Only these kinds of fault (default: every kind). */
  kinds?: FaultKind[];
  loops?: number;
  log?: (line: string) => void;
  /** Given the nodes' logs (stderr and stdout, their tails) before they are stopped. */
  onNodeLogs?: (text: string) => void;
};

export type FaultRun = Fault & { atMs: number; recoveryMs: number | null; lastBack: string | null };

export type Summary = {
  seed: number;
  durationS: number;
  nodes: number;
  leaseTtlMs: number;
  tools: Stack['lab']['tools'];
  faults: FaultRun[];
  skipped: { kind: FaultKind; reason: string }[];
  acknowledged: { holds: number; sales: number; checkins: number };
  answers: Record<string, number>;
  lost: number;
  oversold: number;
  doubleAdmitted: number;
  staleWrites: number;
  journalBreaks: number;
  /** Tickets that no order holds: seats gone without a payment. */
  unpaidTickets: number;
  /** What the nodes logged: evidence of what the faults did to leases and fencing. */
  nodeLogs: { leaseRenewalsFailed: number; steppedDown: number; errors: number };
  detail: string[];
  /** Longest time from healing a fault to a hold answered through every node on every event. */
  recoveryMsMax: number | null;
  /** 2 × the lease TTL: the promise recoveryMsMax is held to. */
  recoveryBoundMs: number;
  ok: boolean;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Give up waiting for service after a fault past this: the run then reports the fault as not recovered. */
const recoveryGiveUpMs = 60_000;

/** Retries through random nodes until a non-5xx answer (setup, not under test). */
async function setupCall(nodes: ChaosNode[], method: string, path: string, o: Parameters<typeof call>[3]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const a = await call(nodes[Math.floor(Math.random() * nodes.length)]!, method, path, { timeoutMs: 15_000, ...o }).catch(() => null);
    if (a !== null && a.status < 500) return a;
    if (Date.now() > deadline) throw new Error(`${method} ${path}: ${a ? `${a.status} ${JSON.stringify(a.body)}` : 'no answer'}`);
    await sleep(200);
  }
}

/** The kit's calls, through setupCall. */
const setup = (nodes: ChaosNode[]): Call => (method, path, o) => setupCall(nodes, method, path, o ?? {});

async function signup(nodes: ChaosNode[], role: SignUpRole): Promise<string> {
  return (await signUp(setup(nodes), role, { emailDomain: 'chaos.tickr', password: 'chaos horse battery', signInIfTaken: true })).token;
}

async function makeWorld(nodes: ChaosNode[], events: number): Promise<World> {
  const organizer = await signup(nodes, 'organizer');
  const operator = await signIn(setup(nodes), chaosOperator);
  const world: World = { events: [], organizer, operator: operator.token };
  for (let i = 0; i < events; i++) {
    const types = [{ name: 'General', price: 4_000, capacity: 5_000 }, { name: 'Scarce', price: 9_000, capacity: 25 }];
    const e = await createEvent(setup(nodes), organizer, { name: `Chaos drop ${i + 1}`, perBuyerLimit: 100, holdTtlSeconds: 3_600, ticketTypes: types });
    const list = await setupCall(nodes, 'POST', `/api/events/${e.id}/checkin/lists`, { token: organizer, body: { name: 'Main gate' } });
    if (list.status !== 201) throw new Error(`check-in list: ${list.status} ${JSON.stringify(list.body)}`);
    world.events.push({ id: e.id, listId: list.body.id, types: e.typeIds.map((id, k) => ({ id, ...types[k]! })) });
  }
  return world;
}

/**
 * Service, as a buyer sees it: a hold answered 201 through every node on every
 * event (so through the owner of each event's shard and through forwarding).
 * Resolves with how long that took, or null after `giveUpMs`.
 */
async function serviceBack(nodes: ChaosNode[], world: World, records: Records, probeToken: () => Promise<string>, giveUpMs: number): Promise<{ ms: number | null; last: string | null }> {
  const start = Date.now();
  let last: string | null = null;
  const pending = nodes.flatMap((n) => world.events.map((e) => ({ n, e, key: randomUUID() })));
  let token = await probeToken();
  while (pending.length > 0) {
    if (Date.now() - start > giveUpMs) return { ms: null, last: pending.map((p) => `${p.n.name}→event ${world.events.indexOf(p.e) + 1}`).join(', ') };
    await Promise.all([...pending].map(async (p) => {
      const typeId = p.e.types[0]!.id;
      const a = await call(p.n, 'POST', `/api/events/${p.e.id}/holds`, { token, body: { typeId, quantity: 1 }, headers: { 'idempotency-key': p.key }, timeoutMs: 2_000 }).catch(() => null);
      if (a?.status === 201) {
        records.holds.set(a.body.holdId, { holdId: a.body.holdId, eventId: p.e.id, typeId, quantity: 1, token, via: p.n.name });
        pending.splice(pending.indexOf(p), 1);
        last = `${p.n.name}→event ${world.events.indexOf(p.e) + 1}`;
      } else if (a?.status === 409 && a.body?.error?.code === 'limit_reached') {
        token = await probeToken();
        p.key = randomUUID();
      }
    }));
    if (pending.length > 0) await sleep(100);
  }
  return { ms: Date.now() - start, last };
}

export async function runChaos(opts: ChaosOptions): Promise<Summary> {
  const log = opts.log ?? (() => {});
  const random = seeded(opts.seed);
  const stack = await startStack({ nodes: opts.nodes, leaseTtlMs: opts.leaseTtlMs, log });
  try {
    const { nodes } = stack;
    const world = await makeWorld(nodes, 2);
    const probe = () => signup(nodes, 'participant');
    const clients = startClients({ nodes, world, loops: opts.loops ?? 4, random, signup: () => signup(nodes, 'participant') });
    const faults: FaultRun[] = [];
    const begun = Date.now();
    // Enough faults to fill the duration (each is held at least 1.5 TTL): the duration is what ends the schedule.
    const count = opts.faultsMax ?? Math.ceil((opts.durationS * 1_000) / (1.5 * opts.leaseTtlMs)) + 1;
    const { faults: planned, skipped } = plan({ random, count, nodes: nodes.map((n) => n.name), leaseTtlMs: opts.leaseTtlMs, tools: stack.lab.tools, kinds: opts.kinds });
    for (const s of skipped) log(`skipping fault ${s.kind}: ${s.reason}`);
    try {
      const first = await serviceBack(nodes, world, clients.records, probe, recoveryGiveUpMs);
      if (first.ms === null) throw new Error(`the cluster never served every event through every node\n${stack.output()}`);
      await sleep(1_000);
      for (const fault of planned) {
        if (Date.now() - begun > opts.durationS * 1_000) break;
        const atMs = Date.now() - begun;
        log(`fault ${faults.length + 1}: ${fault.kind} on ${fault.node} for ${fault.holdMs} ms (${fault.detail})`);
        const heal = await apply(stack, fault);
        await sleep(fault.holdMs);
        await heal();
        const back = await serviceBack(nodes, world, clients.records, probe, recoveryGiveUpMs);
        log(`  healed; service back through every node after ${back.ms === null ? `more than ${recoveryGiveUpMs}` : back.ms} ms (last: ${back.last})`);
        faults.push({ ...fault, atMs, recoveryMs: back.ms, lastBack: back.last });
        await sleep(500 + Math.floor(random() * 1_000));
      }
      await sleep(2_000);
    } finally {
      for (const n of nodes) await stack.lab.heal(n.member).catch(() => {});
      await clients.stop();
    }
    log('every fault healed; waiting for paid orders to be ticketed');
    await settleSales(stack.db, clients.records, world, 90_000);
    const findings: Findings = await verify({ nodes, db: stack.db, world, records: clients.records });
    opts.onNodeLogs?.(stack.output(100_000));
    return summarise(opts, stack, faults, skipped, clients.records, findings);
  } catch (error) {
    log(`chaos run failed: ${(error as Error).message}\n${stack.output()}`);
    throw error;
  } finally {
    await stack.close();
  }
}

function summarise(opts: ChaosOptions, stack: Stack, faults: FaultRun[], skipped: Summary['skipped'], records: Records, f: Findings): Summary {
  const recoveries = faults.map((x) => x.recoveryMs);
  const recoveryMsMax = recoveries.some((r) => r === null) ? null : Math.max(0, ...(recoveries as number[]));
  const recoveryBoundMs = 2 * opts.leaseTtlMs;
  const summary: Summary = {
    seed: opts.seed,
    durationS: opts.durationS,
    nodes: opts.nodes,
    leaseTtlMs: opts.leaseTtlMs,
    tools: stack.lab.tools,
    faults,
    skipped,
    acknowledged: { holds: records.holds.size, sales: records.sales.size, checkins: records.admissions.size },
    answers: Object.fromEntries([...records.answers].sort()),
    lost: f.lost,
    oversold: f.oversold,
    doubleAdmitted: f.doubleAdmitted,
    staleWrites: f.staleWrites,
    journalBreaks: f.journalBreaks,
    unpaidTickets: f.unpaidTickets,
    nodeLogs: {
      leaseRenewalsFailed: lines(stack, / could not be renewed; no longer serving it/),
      steppedDown: lines(stack, /stepped down from shard/),
      errors: lines(stack, / ERROR /),
    },
    detail: [...f.lostDetail, ...f.oversoldDetail, ...f.doubleDetail, ...f.staleDetail, ...f.unpaidDetail],
    recoveryMsMax,
    recoveryBoundMs,
    ok: false,
  };
  summary.ok = f.lost === 0 && f.oversold === 0 && f.doubleAdmitted === 0 && f.staleWrites === 0 && f.journalBreaks === 0 && f.unpaidTickets === 0 && recoveryMsMax !== null && recoveryMsMax <= recoveryBoundMs;
  return summary;
}

function lines(stack: Stack, pattern: RegExp): number {
  return stack.nodes.reduce((n, node) => n + node.output().split('\n').filter((l) => pattern.test(l)).length, 0);
}
