import type { Db } from '../../../engine/src/db/pool.ts';
import { dropSettingsCacheMax, dropSettingsCacheMs } from '../../../engine/src/queue/limits.ts';
import { selectDropSettings } from '../../../engine/src/queue/store.ts';
import type { DropSettings } from '../../../engine/src/queue/types.ts';

/**
 * The queue settings of drops, as this node's edge last read them. The hold
 * route asks on every hold, so a fresh entry answers without a Promise; an
 * entry lives `dropSettingsCacheMs`, and a change made through this node
 * invalidates it at once (another node's change is seen within the TTL).
 */
export class DropSettingsCache {
  private readonly entries = new Map<string, { settings: DropSettings | null; until: number }>();
  private readonly loading = new Map<string, Promise<DropSettings | null>>();

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  /** The cached settings (null: no queue settings), or undefined when not cached or stale. */
  peek(eventId: string): DropSettings | null | undefined {
    const entry = this.entries.get(eventId);
    if (entry === undefined || entry.until <= this.now()) return undefined;
    return entry.settings;
  }

  get(eventId: string): Promise<DropSettings | null> {
    const hit = this.peek(eventId);
    if (hit !== undefined) return Promise.resolve(hit);
    let pending = this.loading.get(eventId);
    if (pending === undefined) {
      pending = selectDropSettings(this.db, eventId).then((settings) => {
        if (this.entries.size >= dropSettingsCacheMax) this.entries.clear();
        this.entries.set(eventId, { settings, until: this.now() + dropSettingsCacheMs });
        return settings;
      }).finally(() => this.loading.delete(eventId));
      this.loading.set(eventId, pending);
    }
    return pending;
  }

  set(eventId: string, settings: DropSettings): void {
    this.entries.set(eventId, { settings, until: this.now() + dropSettingsCacheMs });
  }

  invalidate(eventId: string): void {
    this.entries.delete(eventId);
  }
}
