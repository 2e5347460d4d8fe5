import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import { posterBytesMax } from '../../../engine/src/constants.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { localPosterStore } from '../../../engine/src/posters/local_store.ts';
import { s3PosterStore } from '../../../engine/src/posters/s3_store.ts';
import type { PosterStore } from '../../../engine/src/posters/store.ts';
import { apiClient } from '../../../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { picture } from '../../../engine/src/testing/pictures.ts';
import { startS3Double, type S3Double } from '../../../engine/src/testing/s3_double.ts';
import { createServer, type Server } from '../server.ts';

/**
 * Posters end to end (#14): a real node (Postgres, engine, edge) whose poster
 * store is a folder of its own (TICKR_DATA_DIR), and a second edge on the same
 * node storing in the S3 double, so "nothing stored" is read from the store
 * itself, not from what the API says.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are arbitrary JSON, asserted field by field
type Answer = { status: number; body: any; bytes: Buffer; headers: Headers };

let t: TestDatabase;
let engine: Engine;
let server: Server;
let s3Server: Server;
let double: S3Double;
let base: string;
let s3Base: string;
let pausingServer: Server;
let pausingBase: string;
/** Armed with a key: the pausing server's store stops after writing it, until `release` is called. */
let pauseAt: { key: string; reached: () => void; release: Promise<void> } | null = null;
let dataDir: string;
const logged: string[] = [];
let organizer: { token: string; id: string };
let organizer2: { token: string; id: string };
let buyer: { token: string; id: string };

async function send(url: string, method: string, opts: { token?: string; type?: string; body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.type) headers['content-type'] = opts.type;
  const res = await fetch(url, { method, headers, body: opts.body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const body = res.headers.get('content-type') === 'application/json' ? JSON.parse(bytes.toString('utf8')) : null;
  return { status: res.status, body, bytes, headers: res.headers };
}

const upload = (eventId: string, bytes: Buffer | string, type: string, token = organizer.token, at = base) =>
  send(`${at}/api/events/${eventId}/poster`, 'PUT', { token, type, body: bytes });
const stored = async () => (await readdir(join(dataDir, 'posters')).catch(() => [])).filter((f) => !f.startsWith('.')).sort();
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}
const keysOf = (poster: { renditions: { url: string }[] }) => poster.renditions.map((r) => r.url.split('/').pop()!).sort();

function expectError(a: Answer, status: number, code: string): void {
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(a.body.error.message.length).toBeGreaterThan(20);
}

beforeAll(async () => {
  t = await freshDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'tickr-poster-routes-'));
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', NODE_ID: 'posters-test', TICKR_DATA_DIR: dataDir,
    TICKR_TOKEN_SECRET: 'posters-test-secret-posters-test-secret', TICKR_LOG_LEVEL: 'warn',
  });
  expect(config.posterStore).toEqual({ kind: 'local', dir: join(dataDir, 'posters') });
  const log = (level: string, msg: string) => { if (level !== 'debug' && level !== 'info') logged.push(`${level} ${msg}`); };
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  server = createServer({ config, db: t.db, engine, log });
  base = `http://127.0.0.1:${await server.listen()}`;
  double = await startS3Double();
  const s3 = s3PosterStore({ bucket: double.bucket, region: 'us-east-1', endpoint: double.url, pathStyle: true },
    new S3Client({ region: 'us-east-1', endpoint: double.url, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
  s3Server = createServer({ config, db: t.db, engine, log, posters: s3 });
  s3Base = `http://127.0.0.1:${await s3Server.listen()}`;
  // The same folder as the first server, with a pause after one chosen write.
  const folder = localPosterStore(join(dataDir, 'posters'));
  const pausing: PosterStore = {
    ...folder,
    async put(key, bytes) {
      await folder.put(key, bytes);
      const pause = pauseAt;
      if (pause?.key === key) {
        pauseAt = null;
        pause.reached();
        await pause.release;
      }
    },
  };
  pausingServer = createServer({ config, db: t.db, engine, log, posters: pausing });
  pausingBase = `http://127.0.0.1:${await pausingServer.listen()}`;
  const api = apiClient(() => base);
  [organizer, organizer2, buyer] = await Promise.all([api.signup('organizer'), api.signup('organizer', 'other'), api.signup('participant')]);
}, 120_000);

afterAll(async () => {
  server?.close();
  s3Server?.close();
  pausingServer?.close();
  await engine?.close();
  await double?.close();
  await t?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  // A 500 is logged as "<route> failed: <stack>": no answer here may be one.
  expect(logged.filter((l) => l.includes(' failed:'))).toEqual([]);
});

const newEvent = async (token = organizer.token) => (await apiClient(() => base).createEvent(token)).id;

describe('PUT /api/events/:id/poster', () => {
  for (const [format, type] of [['jpeg', 'image/jpeg'], ['png', 'image/png'], ['webp', 'image/webp']] as const) {
    it(`takes a ${format.toUpperCase()} and renders WebP and JPEG at 320, 640 and 1280 pixels wide`, async () => {
      const id = await newEvent();
      const a = await upload(id, await picture(format, 2000, 1000), type);
      expect(a.status).toBe(200);
      expect(a.body.poster).toMatchObject({ width: 2000, height: 1000 });
      expect(a.body.poster.renditions.map((r: { type: string; width: number; height: number }) => `${r.type} ${r.width}x${r.height}`)).toEqual([
        'image/webp 320x160', 'image/jpeg 320x160', 'image/webp 640x320', 'image/jpeg 640x320', 'image/webp 1280x640', 'image/jpeg 1280x640',
      ]);
      // Each rendition is served, and is what it says it is.
      for (const r of a.body.poster.renditions) {
        const got = await send(base + r.url, 'GET');
        expect(got.status).toBe(200);
        expect(got.headers.get('content-type')).toBe(r.type);
        const meta = await sharp(got.bytes).metadata();
        expect([`image/${meta.format}`, meta.width, meta.height]).toEqual([r.type, r.width, r.height]);
      }
      // The event shows it, alone and in the lists.
      const event = await send(`${base}/api/events/${id}`, 'GET');
      expect(event.body.poster).toEqual(a.body.poster);
      const list = await send(`${base}/api/events`, 'GET');
      expect(list.body.events.find((e: { id: string }) => e.id === id).poster).toEqual(a.body.poster);
    });
  }

  it('keeps a picture narrower than 1280 at its own width, never enlarged', async () => {
    const a = await upload(await newEvent(), await picture('png', 500, 700), 'image/png');
    expect(a.status).toBe(200);
    expect(a.body.poster.renditions.map((r: { width: number }) => r.width)).toEqual([320, 320, 500, 500]);
  });

  it('strips EXIF (camera, place) from what it serves', async () => {
    const a = await upload(await newEvent(), await picture('jpeg', 900, 600, { exif: true }), 'image/jpeg');
    expect(a.status).toBe(200);
    for (const r of a.body.poster.renditions) {
      const got = await send(base + r.url, 'GET');
      expect(got.bytes.includes(Buffer.from('PosterCam'))).toBe(false);
      expect((await sharp(got.bytes).metadata()).exif).toBeUndefined();
    }
  });

  it('refuses a body over 5 MB with 413, and stores nothing', async () => {
    const id = await newEvent();
    const before = await stored();
    // A real JPEG padded past the limit (bytes after the end of a JPEG are ignored by decoders): only the size is wrong.
    const big = Buffer.concat([await picture('jpeg', 400, 300), Buffer.alloc(posterBytesMax)]);
    const a = await upload(id, big, 'image/jpeg');
    expectError(a, 413, 'body_too_large');
    expect(a.body.error.message).toContain('5 MB');
    expect(await stored()).toEqual(before);
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).toBeNull();
  });

  it('takes a body of exactly 5 MB', async () => {
    const jpeg = await picture('jpeg', 400, 300);
    const exact = Buffer.concat([jpeg, Buffer.alloc(posterBytesMax - jpeg.length)]);
    expect(exact.length).toBe(posterBytesMax);
    expect((await upload(await newEvent(), exact, 'image/jpeg')).status).toBe(200);
  });

  it('refuses what is not an image, whatever its Content-Type says, with 422, and stores nothing', async () => {
    const id = await newEvent();
    const before = await stored();
    const html = '<!doctype html><html><body><script>document.cookie</script></body></html>';
    for (const [bytes, type] of [['a text file someone named poster.png\n', 'image/png'], [html, 'image/png'], [html, 'image/jpeg'], ['', 'image/webp']] as const) {
      const a = await upload(id, bytes, type);
      expectError(a, 422, 'not_an_image');
    }
    // Cut short: a real PNG's first half.
    const png = await picture('png', 1200, 800);
    expectError(await upload(id, png.subarray(0, png.length >> 1), 'image/png'), 422, 'not_an_image');
    expect(await stored()).toEqual(before);
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).toBeNull();
  });

  it('refuses other image formats (GIF, SVG) by content, and a body not declared as an image, with 415', async () => {
    const id = await newEvent();
    const before = await stored();
    const a = await upload(id, await picture('gif', 60, 60), 'image/png');
    expectError(a, 415, 'unsupported_image');
    expect(a.body.error.message).toMatch(/GIF.*JPEG, PNG or WebP/);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    expectError(await upload(id, svg, 'image/png'), 415, 'unsupported_image');
    expectError(await upload(id, svg, 'image/svg+xml'), 415, 'unsupported_media_type');
    expectError(await upload(id, await picture('png', 60, 60), 'text/plain'), 415, 'unsupported_media_type');
    expectError(await upload(id, await picture('png', 60, 60), ''), 415, 'unsupported_media_type');
    expect(await stored()).toEqual(before);
  });

  it('answers another organizer 404 (as if there were no such event), a participant 403, a stranger 401', async () => {
    const id = await newEvent();
    const png = await picture('png', 300, 300);
    expectError(await upload(id, png, 'image/png', organizer2.token), 404, 'event_not_found');
    expectError(await upload(id, png, 'image/png', buyer.token), 403, 'forbidden');
    expectError(await send(`${base}/api/events/${id}/poster`, 'PUT', { type: 'image/png', body: png }), 401, 'unauthenticated');
    expectError(await upload('not-an-id', png, 'image/png'), 404, 'event_not_found');
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).toBeNull();
  });

  it('replaces the poster: the old renditions are deleted and their URLs answer 404', async () => {
    const id = await newEvent();
    const first = (await upload(id, await picture('png', 800, 400), 'image/png')).body.poster;
    const second = (await upload(id, await picture('webp', 600, 600), 'image/webp')).body.poster;
    expect(second).toMatchObject({ width: 600, height: 600 });
    const files = await stored();
    for (const key of keysOf(second)) expect(files).toContain(key);
    for (const key of keysOf(first)) expect(files).not.toContain(key);
    expectError(await send(base + first.renditions[0].url, 'GET'), 404, 'poster_not_found');
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).toEqual(second);
  });
});

describe('DELETE /api/events/:id/poster', () => {
  it('removes the poster and its files; a second delete is 204 too', async () => {
    const id = await newEvent();
    const poster = (await upload(id, await picture('jpeg', 700, 500), 'image/jpeg')).body.poster;
    const del = await send(`${base}/api/events/${id}/poster`, 'DELETE', { token: organizer.token });
    expect(del.status).toBe(204);
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).toBeNull();
    const files = await stored();
    for (const key of keysOf(poster)) expect(files).not.toContain(key);
    expect((await send(`${base}/api/events/${id}/poster`, 'DELETE', { token: organizer.token })).status).toBe(204);
  });

  it('keeps the files another event\'s poster still uses (the same picture on two events)', async () => {
    const png = await picture('png', 640, 480);
    const [a, b] = [await newEvent(), await newEvent()];
    const posterA = (await upload(a, png, 'image/png')).body.poster;
    const posterB = (await upload(b, png, 'image/png')).body.poster;
    expect(keysOf(posterA)).toEqual(keysOf(posterB));
    expect((await send(`${base}/api/events/${a}/poster`, 'DELETE', { token: organizer.token })).status).toBe(204);
    for (const r of posterB.renditions) expect((await send(base + r.url, 'GET')).status).toBe(200);
  });

  it('never deletes a picture that another event is being given at that moment', async () => {
    // B has picture P. A is given P too, and pauses after writing P's first rendition, before its row names it.
    // Meanwhile B's poster is replaced, so B drops P's renditions: they must survive, A is about to name them.
    const [a, b] = [await newEvent(), await newEvent()];
    const p = await picture('jpeg', 900, 600);
    const first = keysOf((await upload(b, p, 'image/jpeg')).body.poster);
    let reached!: () => void;
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (reached = resolve));
    pauseAt = { key: first[0]!, reached, release: new Promise<void>((resolve) => (release = resolve)) };
    const forA = upload(a, p, 'image/jpeg', organizer.token, pausingBase);
    await paused;
    let bDone = false;
    const forB = upload(b, await picture('png', 300, 300), 'image/png').finally(() => { bDone = true; });
    // B either finishes (no lock: it deleted what it no longer names) or waits for A's lock; only then is A let go.
    await until(async () => bDone || (await t.db.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rowCount! > 0);
    release();
    const [answerA, answerB] = await Promise.all([forA, forB]);
    expect([answerA.status, answerB.status]).toEqual([200, 200]);
    for (const r of answerA.body.poster.renditions) expect((await send(base + r.url, 'GET')).status, r.url).toBe(200);
  });

  it('answers another organizer 404 and leaves the poster', async () => {
    const id = await newEvent();
    await upload(id, await picture('png', 300, 300), 'image/png');
    expectError(await send(`${base}/api/events/${id}/poster`, 'DELETE', { token: organizer2.token }), 404, 'event_not_found');
    expectError(await send(`${base}/api/events/${id}/poster`, 'DELETE', { token: buyer.token }), 403, 'forbidden');
    expect((await send(`${base}/api/events/${id}`, 'GET')).body.poster).not.toBeNull();
  });
});

describe('GET /api/posters/:file', () => {
  it('serves a rendition as immutable, its ETag the hash of its bytes, and answers 304 to that ETag', async () => {
    const poster = (await upload(await newEvent(), await picture('webp', 1400, 700), 'image/webp')).body.poster;
    const r = poster.renditions[0];
    const got = await send(base + r.url, 'GET');
    expect(got.status).toBe(200);
    expect(got.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const hash = createHash('sha256').update(got.bytes).digest('hex');
    expect(got.headers.get('etag')).toBe(`"${hash}"`);
    expect(r.url).toBe(`/api/posters/${hash}.webp`);
    const again = await send(base + r.url, 'GET', { headers: { 'if-none-match': `"${hash}"` } });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect((await send(base + r.url, 'GET', { headers: { 'if-none-match': `"${'0'.repeat(64)}"` } })).status).toBe(200);
  });

  it('answers 404 to a name that is not a rendition, and never reads outside the store', async () => {
    for (const file of [`${'a'.repeat(64)}.webp`, 'x.webp', `${'a'.repeat(64)}.png`, '..%2F..%2Fetc%2Fpasswd', `${'A'.repeat(64)}.jpg`]) {
      expectError(await send(`${base}/api/posters/${file}`, 'GET'), 404, 'poster_not_found');
    }
  });
});

describe('through the S3 store', () => {
  it('uploads, serves, replaces and deletes in the bucket, and stores nothing of a refused upload', async () => {
    const id = await newEvent();
    const objects = () => [...double.objects.keys()].sort();
    expectError(await upload(id, '<html>not a picture</html>', 'image/png', organizer.token, s3Base), 422, 'not_an_image');
    expect(objects()).toEqual([]);
    const first = (await upload(id, await picture('jpeg', 1500, 1000), 'image/jpeg', organizer.token, s3Base)).body.poster;
    expect(objects()).toEqual(keysOf(first).map((k) => `posters/${k}`).sort());
    const served = await send(s3Base + first.renditions[5].url, 'GET');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const second = (await upload(id, await picture('png', 400, 400), 'image/png', organizer.token, s3Base)).body.poster;
    expect(objects()).toEqual(keysOf(second).map((k) => `posters/${k}`).sort());
    expect((await send(`${s3Base}/api/events/${id}/poster`, 'DELETE', { token: organizer.token })).status).toBe(204);
    expect(objects()).toEqual([]);
  });
});
