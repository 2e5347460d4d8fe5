import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { picture } from '../../engine/src/testing/pictures.ts';
import { createDrop, desktop, phone, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';

/** What is read of an <img> in the page (the DOM's types are not this project's). */
type Img = { complete: boolean; naturalWidth: number; currentSrc: string };

/**
 * Posters in a browser (#14): the organizer's Poster tab refuses what is not
 * a picture with a sentence and takes a real one; the event page and the
 * list then show it through the storefront's /api proxy, as WebP from the
 * srcset. Screenshots: poster-*.png in storefront/test-artifacts/.
 */
describe('event posters in a browser', () => {
  let stack: Stack;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickr-e2e-posters-'));
    stack = await startStack({ TICKR_DATA_DIR: dataDir });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('an organizer uploads a poster; refusals read as sentences; the event page and the list show it', async () => {
    const organizer = await signUp(stack.api, 'organizer');
    const drop = await createDrop(stack.api, organizer, { name: 'Festival des affiches' });
    const page = await stack.newPage({ viewport: phone });
    await signInPage(page, organizer, `/organizer/events/${drop.id}/poster`);
    await page.waitForLoadState('networkidle');
    await poll(() => page.getByTestId('no-poster').isVisible()).toBe(true);
    const input = page.locator('input[type=file][name=poster]');
    const upload = page.getByRole('button', { name: 'Upload the poster' });

    // A text file called poster.png: the browser calls it image/png, the server reads it and refuses it.
    await input.setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all, only words\n') });
    await upload.click();
    await poll(() => page.getByTestId('poster-error').textContent()).toMatch(/not a picture that can be read.*JPEG, PNG or WebP/);
    await stack.shot(page, 'poster-refused-phone');
    expect(await readdir(join(dataDir, 'posters')).catch(() => [])).toEqual([]);

    // Too large: said before anything is sent.
    await input.setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
    await poll(() => page.getByTestId('poster-error').textContent()).toMatch(/larger than 5 MB/);

    await input.setInputFiles({ name: 'affiche.png', mimeType: 'image/png', buffer: await picture('png', 1600, 900) });
    await upload.click();
    await poll(() => page.getByRole('status').first().textContent()).toBe('The poster is on the event page now.');
    const current = page.locator('.current-poster img');
    await poll(() => current.evaluate((img: Img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await stack.shot(page, 'poster-uploaded-phone');

    // The public page, on a phone: the WebP of the srcset, through the proxy, with its cache headers.
    const visitor = await stack.newPage({ viewport: phone });
    const served = visitor.waitForResponse((r) => r.url().includes('/api/posters/'));
    await visitor.goto(`/events/${drop.id}`);
    const response = await served;
    expect(response.status()).toBe(200);
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers().etag).toMatch(/^"[0-9a-f]{64}"$/);
    const poster = visitor.locator('.event-poster img');
    await poll(() => poster.evaluate((img: Img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await poster.evaluate((img: Img) => img.currentSrc)).toMatch(/\/api\/posters\/[0-9a-f]{64}\.webp$/);
    expect(await poster.getAttribute('alt')).toBe('Poster of Festival des affiches');
    await stack.shot(visitor, 'poster-event-phone');

    // The list, on a desktop: the card carries the poster.
    const list = await stack.newPage({ viewport: desktop });
    await list.goto('/');
    const card = list.locator(`a[href="/events/${drop.id}"] .drop-poster img`);
    await poll(() => card.evaluate((img: Img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await stack.shot(list, 'poster-list-desktop');

    // Removed: the tab says so and the public page has no poster.
    await page.getByRole('button', { name: 'Remove the poster' }).click();
    await poll(() => page.getByRole('status').first().textContent()).toBe('The poster is removed.');
    await visitor.reload();
    await poll(() => visitor.locator('.event-poster').count()).toBe(0);
  }, 180_000);
});
