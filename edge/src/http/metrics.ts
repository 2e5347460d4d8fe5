import { Counter, Registry, counterReading, type Sample } from '../../../engine/src/metrics.ts';

/**
 * The edge's own counters for /metrics, in the node's registry
 * (engine/src/metrics.ts). Every label set is bounded: routes are the mounted
 * patterns (plus "unmatched"), statuses and refusal reasons are finite lists.
 */
export class EdgeMetrics {
  readonly registry: Registry;
  /**
   * Requests by route, then status, counted here and read at each scrape: a
   * labelled prom-client `inc` hashes its labels, over a microsecond on every request.
   */
  readonly #requests = new Map<string, Map<number, number>>();
  readonly #refusals: Counter<'reason'>;
  readonly #holdsPlaced: Counter;
  readonly #holdsReleased: Counter;
  readonly #confirms: Counter;

  /** Without a registry (tests of one route), the counters get one of their own. */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    counterReading(registry, 'tickr_http_requests_total', 'HTTP requests answered by the edge, by route pattern and status.', ['route', 'status'], () => this.#requestSamples());
    this.#holdsPlaced = new Counter({ name: 'tickr_holds_placed_total', help: 'Holds placed through the edge.', registers });
    this.#holdsReleased = new Counter({ name: 'tickr_holds_released_total', help: 'Holds released by their buyer through the edge.', registers });
    this.#confirms = new Counter({ name: 'tickr_holds_confirmed_total', help: 'Holds confirmed (sold) through the edge.', registers });
    this.#refusals = new Counter({ name: 'tickr_refusals_total', help: 'Engine refusals answered by the edge, by reason.', labelNames: ['reason'], registers });
  }

  request(route: string, status: number): void {
    let byStatus = this.#requests.get(route);
    if (byStatus === undefined) this.#requests.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  #requestSamples(): Sample[] {
    const samples: Sample[] = [];
    for (const [route, byStatus] of this.#requests) for (const [status, value] of byStatus) samples.push({ labels: { route, status: String(status) }, value });
    return samples;
  }

  refusal(reason: string): void {
    this.#refusals.inc({ reason });
  }

  /** One hold, or `count` (a basket places one per ticket type). */
  holdPlaced(count = 1): void {
    this.#holdsPlaced.inc(count);
  }

  holdReleased(): void {
    this.#holdsReleased.inc();
  }

  holdConfirmed(): void {
    this.#confirms.inc();
  }

  /** Prometheus text format 0.0.4 of the whole registry: these counters, the engine's figures, the process's. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
