/**
 * The edge's own counters for /metrics. Every label set is bounded: routes are
 * the mounted patterns (plus "unmatched"), statuses and refusal reasons are
 * finite lists.
 */
export class EdgeMetrics {
  readonly #requests = new Map<string, Map<number, number>>();
  readonly #refusals = new Map<string, number>();
  holdsPlaced = 0;
  holdsReleased = 0;
  confirms = 0;

  request(route: string, status: number): void {
    let byStatus = this.#requests.get(route);
    if (byStatus === undefined) this.#requests.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  refusal(reason: string): void {
    this.#refusals.set(reason, (this.#refusals.get(reason) ?? 0) + 1);
  }

  /** Prometheus text format 0.0.4, without trailing newline. */
  text(): string {
    const lines: string[] = [
      '# HELP tickr_http_requests_total HTTP requests answered by the edge, by route pattern and status.',
      '# TYPE tickr_http_requests_total counter',
    ];
    for (const [route, byStatus] of this.#requests) {
      for (const [status, count] of byStatus) lines.push(`tickr_http_requests_total{route="${label(route)}",status="${status}"} ${count}`);
    }
    lines.push(
      '# HELP tickr_holds_placed_total Holds placed through the edge.',
      '# TYPE tickr_holds_placed_total counter',
      `tickr_holds_placed_total ${this.holdsPlaced}`,
      '# HELP tickr_holds_released_total Holds released by their buyer through the edge.',
      '# TYPE tickr_holds_released_total counter',
      `tickr_holds_released_total ${this.holdsReleased}`,
      '# HELP tickr_holds_confirmed_total Holds confirmed (sold) through the edge.',
      '# TYPE tickr_holds_confirmed_total counter',
      `tickr_holds_confirmed_total ${this.confirms}`,
      '# HELP tickr_refusals_total Engine refusals answered by the edge, by reason.',
      '# TYPE tickr_refusals_total counter',
    );
    for (const [reason, count] of this.#refusals) lines.push(`tickr_refusals_total{reason="${label(reason)}"} ${count}`);
    return lines.join('\n');
  }
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
