import type { LatencyPercentiles } from './autocannon_run.ts';
import type { ResultRow } from './report.ts';
import { percentileOfSorted } from './stats.ts';

/**
 * A stage of a multi-step scenario (join, admit, hold, pay, tickets): each
 * time one participant gets through it, its latency and the moment it
 * finished. A stage becomes a report row like an autocannon load: rate over
 * the stage's own span, p50/p99, percentiles and completions per second (the
 * throughput-over-time chart).
 */
export class Stage {
  private readonly latencies: number[] = [];
  private readonly finishedAt: number[] = [];
  private failures = 0;
  readonly statusCodes: Record<string, number> = {};

  constructor(
    readonly name: string,
    /** The run's start (performance.now()): seconds in the timeline count from it. */
    private readonly origin: number,
  ) {}

  /** Times `fn`, counts it done unless it throws or answers ok: false. */
  async time<T>(fn: () => Promise<T & { ok?: boolean; status?: number }>): Promise<T & { ok?: boolean; status?: number }> {
    const started = performance.now();
    try {
      const result = await fn();
      if (result.status !== undefined) this.statusCodes[result.status] = (this.statusCodes[result.status] ?? 0) + 1;
      if (result.ok === false) this.failures++;
      else this.done(performance.now() - started);
      return result;
    } catch (error) {
      this.failures++;
      throw error;
    }
  }

  /** One completion that took `latencyMs`, finishing now. */
  done(latencyMs: number, at = performance.now()): void {
    this.latencies.push(latencyMs);
    this.finishedAt.push(at);
  }

  fail(): void {
    this.failures++;
  }

  get count(): number {
    return this.latencies.length;
  }

  /** Seconds from the run's start to this stage's last completion (null: none). */
  lastAtS(): number | null {
    return this.finishedAt.length === 0 ? null : (Math.max(...this.finishedAt) - this.origin) / 1000;
  }

  row(extra: Partial<ResultRow> = {}): ResultRow {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (p: number) => Math.round((percentileOfSorted(sorted, p) ?? 0) * 100) / 100;
    const first = this.finishedAt.length === 0 ? this.origin : Math.min(...this.finishedAt);
    const last = this.finishedAt.length === 0 ? this.origin : Math.max(...this.finishedAt);
    // The stage's own span: from the start of its first completion to its last one.
    const spanS = Math.max(0.001, (last - first + (sorted[0] ?? 0)) / 1000);
    const timeline: number[] = [];
    for (const t of this.finishedAt) {
      const second = Math.floor((t - this.origin) / 1000);
      while (timeline.length <= second) timeline.push(0);
      timeline[second]!++;
    }
    const latency: LatencyPercentiles = { p50: at(50), p75: at(75), p90: at(90), p97_5: at(97.5), p99: at(99), p99_9: at(99.9), max: sorted.at(-1) ?? 0 };
    return {
      name: this.name,
      rps: this.count / spanS,
      p50: latency.p50,
      p99: latency.p99,
      errors: this.failures,
      cpuUsPerReq: null,
      requests: this.count,
      statusCodes: this.statusCodes,
      timeline,
      latency,
      ...extra,
    };
  }
}
