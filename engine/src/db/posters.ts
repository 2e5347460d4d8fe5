import type pg from 'pg';
import type { Db } from './pool.ts';

export type PosterRenditionRow = { key: string; format: 'webp' | 'jpeg'; width: number; height: number; bytes: number };
export type PosterRow = { sourceFormat: 'jpeg' | 'png' | 'webp'; width: number; height: number; renditions: PosterRenditionRow[]; uploadedAt: Date };
type Queryable = Db | pg.PoolClient;

/** The poster columns as one JSON value, for the event queries (db/events.ts); null when the event has none. */
export const posterColumn = `(SELECT json_build_object('sourceFormat', p.source_format, 'width', p.width, 'height', p.height,
    'renditions', p.renditions, 'uploadedAt', p.uploaded_at) FROM event_posters p WHERE p.event_id = e.id) AS "poster"`;

/** JSON turns the timestamp into a string: the row as the other queries return it. */
export function posterOfJson(value: unknown): PosterRow | null {
  if (value === null || value === undefined) return null;
  const p = value as Omit<PosterRow, 'uploadedAt'> & { uploadedAt: string | Date };
  return { ...p, uploadedAt: new Date(p.uploadedAt) };
}

/** Sets the event's poster; the renditions of the one it replaces (none: []). */
export async function upsertPoster(tx: Queryable, eventId: string, poster: Omit<PosterRow, 'uploadedAt'>): Promise<{ poster: PosterRow; replaced: PosterRenditionRow[] }> {
  const before = await tx.query<{ renditions: PosterRenditionRow[] }>('SELECT renditions FROM event_posters WHERE event_id = $1 FOR UPDATE', [eventId]);
  const { rows } = await tx.query<PosterRow>(
    `INSERT INTO event_posters (event_id, source_format, width, height, renditions) VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (event_id) DO UPDATE SET source_format = EXCLUDED.source_format, width = EXCLUDED.width, height = EXCLUDED.height,
       renditions = EXCLUDED.renditions, uploaded_at = now()
     RETURNING source_format AS "sourceFormat", width, height, renditions, uploaded_at AS "uploadedAt"`,
    [eventId, poster.sourceFormat, poster.width, poster.height, JSON.stringify(poster.renditions)],
  );
  return { poster: rows[0]!, replaced: before.rows[0]?.renditions ?? [] };
}

/** Removes the event's poster; its renditions, or null when it had none. */
export async function deletePosterRow(tx: Queryable, eventId: string): Promise<PosterRenditionRow[] | null> {
  const { rows } = await tx.query<{ renditions: PosterRenditionRow[] }>('DELETE FROM event_posters WHERE event_id = $1 RETURNING renditions', [eventId]);
  return rows[0]?.renditions ?? null;
}

/** Which of `keys` some poster still names (two events may carry the same picture). */
export async function posterKeysInUse(tx: Queryable, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await tx.query<{ key: string }>(
    `SELECT k AS key FROM unnest($1::text[]) AS k
     WHERE EXISTS (SELECT 1 FROM event_posters p WHERE p.renditions @> jsonb_build_array(jsonb_build_object('key', k)))`,
    [keys],
  );
  return new Set(rows.map((r) => r.key));
}
