import type { SqlExecutor } from '../jobs/queues.ts';
import type { PosterRenditionRow } from '../db/posters.ts';
import { posterUrl } from '../posters/view.ts';
import type { EmailPoster } from './templates.ts';

/** The rendition an email shows: a JPEG at least this wide when there is one (sharp on a 600-pixel body, and on a 2× screen at half). */
const emailPosterWidthWanted = 640;

/**
 * The event's poster for an email, or null: an absolute URL on `publicUrl`
 * (the storefront, which serves /api/posters/… from the edge), since an email
 * is read far from the site.
 */
export async function emailPosterOf(db: SqlExecutor, eventId: string, publicUrl: string): Promise<EmailPoster | null> {
  const { rows } = await db.query('SELECT renditions FROM event_posters WHERE event_id = $1', [eventId]);
  const jpegs = ((rows[0] as { renditions: PosterRenditionRow[] } | undefined)?.renditions ?? []).filter((r) => r.format === 'jpeg').sort((a, b) => a.width - b.width);
  const pick = jpegs.find((r) => r.width >= emailPosterWidthWanted) ?? jpegs[jpegs.length - 1];
  return pick === undefined ? null : { url: posterUrl(pick.key, publicUrl), width: pick.width, height: pick.height };
}
