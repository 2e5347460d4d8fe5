import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDrop, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';

/** Places ahead of the browser's waiter, joined through the API. */
const waitersAhead = 6;

describe('queue page in a browser', () => {
  let stack: Stack;
  let organizer: Awaited<ReturnType<typeof signUp>>;
  let drop: Awaited<ReturnType<typeof createDrop>>;

  const settings = (body: Record<string, unknown>) => call(stack.api, 'PATCH', `/api/events/${drop.id}/queue/settings`, body, organizer.auth);

  beforeAll(async () => {
    // The test stands in for one proxy in front of the node, so each waiter it arranges joins from its own address.
    stack = await startStack({ TICKR_TRUST_PROXY: '1' });
    organizer = await signUp(stack.api, 'organizer');
    drop = await createDrop(stack.api, organizer, { name: 'Festival de Tabarka — flash sale' });
    // Paused first, so the head waits until everyone is in line.
    await settings({ queueEnabled: true, admissionRatePerMinute: 60, paused: true });
    for (let n = 0; n < waitersAhead; n++) {
      const waiter = await signUp(stack.api, 'participant', `Waiter ${n}`);
      await call(stack.api, 'POST', `/api/events/${drop.id}/queue`, {}, { ...waiter.auth, 'x-forwarded-for': `198.51.100.${n + 1}` });
    }
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the place live, pauses at once, admits by itself and lets the waiter hold', async () => {
    const buyer = await signUp(stack.api, 'participant', 'Yasmine Trabelsi');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${drop.id}`);
    // A queued drop offers the queue, not the hold button.
    expect(await page.getByRole('button', { name: 'Hold tickets' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Join the queue' }).click();
    await page.waitForURL(`**/events/${drop.id}/queue`);

    const place = page.getByTestId('place');
    await poll(() => place.textContent()).toBe(`#${waitersAhead + 1}`);
    await poll(() => page.locator('.queue-state').getAttribute('data-phase')).toBe('paused');
    await poll(() => page.locator('.connection').getAttribute('data-connection')).toBe('live');
    await stack.shot(page, 'queue-1-paused');

    // A reload keeps the place.
    await page.reload();
    await poll(() => place.textContent()).toBe(`#${waitersAhead + 1}`);

    await settings({ paused: false });
    await poll(() => page.locator('.queue-state').getAttribute('data-phase'), { timeout: 15_000 }).toBe('queued');
    await poll(() => page.getByTestId('since').textContent()).toMatch(/^In line since \d{1,2}:\d\d/);
    // One stock number, from one source: the queue page and the event page say the same.
    const visitor = await stack.newPage();
    await visitor.goto(`/events/${drop.id}`);
    expect(await visitor.getByTestId('stock').textContent()).toBe(await page.getByTestId('stock').textContent());
    await visitor.close();
    const progress = async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow'));
    const progressBefore = await progress();
    const ahead = async () => { const text = (await page.getByTestId('ahead').textContent()) ?? ''; return text.includes('next') ? 0 : Number(text.match(/\d+/)?.[0] ?? -1); };
    const first = await ahead();
    await poll(ahead, { timeout: 10_000 }).toBeLessThan(first);
    // The bar moves with the head (full at "you are next": see position.test.ts).
    await poll(progress, { timeout: 10_000 }).toBeGreaterThan(progressBefore);
    await poll(() => page.getByTestId('eta').textContent()).toMatch(/Estimated wait/);
    await stack.shot(page, 'queue-2-moving');

    // Admitted: the page moves to ticket selection by itself.
    await page.waitForURL(`**/events/${drop.id}?admitted=1`, { timeout: 30_000 });
    await poll(() => page.getByRole('status').first().textContent()).toContain('It is your turn');
    // The admission window counts down on its own.
    await poll(() => page.getByTestId('admission-countdown').locator('.countdown-clock').textContent()).toMatch(/^\d+:\d\d$/);
    await stack.shot(page, 'queue-3-admitted');
    await page.locator('.type', { hasText: 'Standard' }).getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await poll(() => page.locator('.countdown-clock').textContent()).toMatch(/^\d+:\d\d$/);
  }, 120_000);

  it('counts down to sale start, offers only the queue before it, and says since when the waiter is in line', async () => {
    const later = await createDrop(stack.api, organizer, { name: 'Avant-première à Carthage', saleStartsAt: new Date(Date.now() + 3 * 3600_000).toISOString() });
    await call(stack.api, 'PATCH', `/api/events/${later.id}/queue/settings`, { queueEnabled: true }, organizer.auth);
    // A visitor not signed in: "Join the queue" is the one call to action.
    const visitor = await stack.newPage();
    await visitor.goto(`/events/${later.id}`);
    expect(await visitor.getByRole('link', { name: 'Join the queue' }).count()).toBe(1);
    expect(await visitor.getByRole('link', { name: /Sign in to buy/ }).count()).toBe(0);
    const stockOnEventPage = await visitor.getByTestId('stock').textContent();

    const buyer = await signUp(stack.api, 'participant', 'Amel Avant');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${later.id}/queue`);
    await poll(() => page.locator('.queue-state').getAttribute('data-phase')).toBe('drawing');
    const clock = () => page.getByTestId('sale-countdown').locator('.countdown-clock').textContent();
    await poll(clock).toMatch(/^[23]:\d\d:\d\d$/);
    const first = await clock();
    await poll(clock, { timeout: 5_000 }).not.toBe(first);
    await poll(() => page.getByTestId('since').textContent()).toMatch(/^In line since \d{1,2}:\d\d/);
    expect(await page.getByTestId('stock').textContent()).toBe(stockOnEventPage);
    await stack.shot(page, 'queue-0-countdown');
    // The organizer's dashboard counts this waiter (no place before the draw) and does not say "Admitting" yet.
    const office = await stack.newPage({ viewport: { width: 1280, height: 900 } });
    await signInPage(office, organizer, `/organizer/events/${later.id}`);
    await poll(() => office.getByTestId('queue-length').textContent()).toBe('1');
    expect(await office.getByTestId('queue-state').textContent()).toBe('Waiting room');
  }, 60_000);

  it('keeps following the queue while the connection is down, and reconnects', async () => {
    // A slow head and people ahead: the waiter stays in line long enough to watch it move without a socket.
    await settings({ paused: true, admissionRatePerMinute: 12 });
    for (let n = 0; n < 5; n++) {
      const waiter = await signUp(stack.api, 'participant', `Ahead ${n}`);
      await call(stack.api, 'POST', `/api/events/${drop.id}/queue`, {}, { ...waiter.auth, 'x-forwarded-for': `198.51.100.${n + 100}` });
    }
    const buyer = await signUp(stack.api, 'participant', 'Karim Tunnel');
    const page = await stack.newPage();
    // The queue's WebSocket goes through the test, which can cut it and refuse reconnections, as a train tunnel would.
    let refuse = false;
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/queue\/live/, (ws) => {
      if (refuse) return void ws.close({ code: 1001, reason: 'network down' });
      ws.connectToServer();
      sockets.push(ws);
    });
    await signInPage(page, buyer, `/events/${drop.id}/queue`);
    const connection = () => page.locator('.connection').getAttribute('data-connection');
    const phase = () => page.locator('.queue-state').getAttribute('data-phase');
    await poll(connection).toBe('live');
    await poll(phase).toBe('paused');

    refuse = true;
    for (const ws of sockets) await ws.close({ code: 1001, reason: 'network down' });
    await poll(connection).toBe('reconnecting');
    await stack.shot(page, 'queue-4-reconnecting');
    // Without its socket the page still hears the queue resume (it polls over HTTP meanwhile).
    await settings({ paused: false });
    await poll(phase, { timeout: 10_000 }).not.toBe('paused');

    expect(await phase()).toBe('queued');

    refuse = false;
    // Refused for several seconds, the page backs off: its next try may come up to the 30 s cap later.
    await poll(connection, { timeout: 35_000 }).toBe('live');
    await settings({ admissionRatePerMinute: 60 });
  }, 90_000);

  it('solves the proof of work a drop asks for, then shows the place', async () => {
    await settings({ powBits: 10, paused: true });
    const buyer = await signUp(stack.api, 'participant', 'Sonia Proof');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${drop.id}/queue`);
    await poll(() => page.getByTestId('place').textContent(), { timeout: 20_000 }).toMatch(/^#\d+$/);
    // The place is kept: a reload does not ask for another proof of work.
    await page.reload();
    await poll(() => page.getByTestId('place').textContent()).toMatch(/^#\d+$/);
    // The same waiting room in Arabic, right to left.
    await page.getByRole('button', { name: 'العربية' }).click();
    await poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    await poll(() => page.locator('.queue-state').getAttribute('data-phase')).toBe('paused');
    await stack.shot(page, 'queue-arabic-rtl');
    await settings({ powBits: 0, paused: false });
  }, 60_000);
});
