import type { EventConfig, Outcome, PlaceHold } from '../inventory/types.ts';
import type { SimLeaseStore } from './sim_lease_store.ts';
import type { SimNode } from './sim_node.ts';
import type { World } from './world.ts';

type Known = { eventId: string; holdId: string };
type Request = { cmd: PlaceHold | { kind: 'confirmHold' | 'releaseHold'; eventId: string; holdId: string; buyer?: string }; attempt: number };

const actEveryMsMean = 150;
const attemptsMax = 3;
const timeoutMs = 4_000;

/**
 * A buyer with a browser: places holds, confirms or releases the ones it was
 * told about, replays a hold with its idempotency key, and retries a request
 * that timed out or hit a node that no longer serves the shard. It sends to
 * the node it believes owns the shard, and refreshes that belief from the
 * lease store (the edge's directory) when a node refuses.
 */
export class SimClient {
  private readonly holds: Known[] = [];
  private readonly sentKeys: PlaceHold[] = [];
  private readonly owner = new Map<number, number>();
  private keys = 0;

  constructor(
    readonly buyer: string,
    private readonly world: World,
    private readonly nodes: SimNode[],
    private readonly leases: SimLeaseStore,
    private readonly events: EventConfig[],
  ) {}

  start(): void {
    this.world.schedule(this.world.rng.exp(actEveryMsMean), () => this.act());
  }

  private act(): void {
    const world = this.world;
    if (world.now < world.quietUntil) {
      world.schedule(world.quietUntil - world.now + world.rng.int(0, 100), () => this.act());
      return;
    }
    const roll = world.rng.float();
    if (this.holds.length > 0 && roll < 0.35) {
      const known = world.rng.pick(this.holds);
      const kind = world.rng.chance(0.75) ? 'confirmHold' : 'releaseHold';
      this.send({ cmd: { kind, eventId: known.eventId, holdId: known.holdId, buyer: this.buyer }, attempt: 1 });
    } else if (this.sentKeys.length > 0 && roll < 0.45) {
      this.send({ cmd: world.rng.pick(this.sentKeys), attempt: 1 });
    } else {
      const event = world.rng.pick(this.events);
      const type = world.rng.pick(event.types);
      const key = world.rng.chance(0.7) ? `${this.buyer}-k${this.keys++}` : null;
      const cmd: PlaceHold = { kind: 'placeHold', eventId: event.eventId, typeId: type.typeId, qty: world.rng.int(1, 3), buyer: this.buyer, key };
      if (key !== null) this.sentKeys.push(cmd);
      if (this.sentKeys.length > 20) this.sentKeys.shift();
      this.send({ cmd, attempt: 1 });
    }
    world.schedule(world.rng.exp(actEveryMsMean), () => this.act());
  }

  private send(request: Request): void {
    const world = this.world;
    const event = this.events.find((e) => e.eventId === request.cmd.eventId)!;
    const node = this.nodes[this.owner.get(event.shard) ?? world.rng.int(0, this.nodes.length - 1)]!;
    let answered = false;
    const cmd = request.cmd.kind === 'placeHold'
      ? request.cmd
      : request.cmd.kind === 'confirmHold'
        ? { kind: 'confirmHold' as const, eventId: request.cmd.eventId, holdId: request.cmd.holdId }
        : { kind: 'releaseHold' as const, eventId: request.cmd.eventId, holdId: request.cmd.holdId, buyer: this.buyer };
    world.schedule(world.hopMs(), () => node.receive(cmd, (outcome) => {
      if (answered) return;
      answered = true;
      this.answered(request, event.shard, outcome);
    }));
    world.schedule(timeoutMs, () => {
      if (answered) return;
      answered = true;
      this.answered(request, event.shard, null);
    });
  }

  private answered(request: Request, shard: number, outcome: Outcome | null): void {
    const world = this.world;
    if (outcome === null || (!outcome.ok && outcome.reason === 'shard_unavailable')) {
      // Ask the directory who owns the shard now; fall back to any node.
      const holder = this.leases.holderNow(shard);
      const index = this.nodes.findIndex((n) => n.id === holder);
      if (index >= 0) this.owner.set(shard, index);
      else this.owner.delete(shard);
      if (request.attempt < attemptsMax) {
        world.schedule(world.rng.int(20, 400), () => this.send({ cmd: request.cmd, attempt: request.attempt + 1 }));
      }
      return;
    }
    if (outcome.ok && outcome.kind === 'held' && outcome.hold.status === 'held') {
      if (!this.holds.some((h) => h.holdId === outcome.hold.holdId)) this.holds.push({ eventId: outcome.hold.eventId, holdId: outcome.hold.holdId });
      return;
    }
    if (request.cmd.kind !== 'placeHold') {
      const holdId = request.cmd.holdId;
      const closed = outcome.ok || outcome.reason === 'hold_expired' || outcome.reason === 'hold_not_found';
      const at = this.holds.findIndex((h) => h.holdId === holdId);
      if (closed && at >= 0) this.holds.splice(at, 1);
    }
  }
}
