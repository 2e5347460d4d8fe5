import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, type OrdersNode } from '../testing/orders_node.ts';

/**
 * /api/docs in a real browser (Debian's Chromium, as the storefront's browser
 * tests): the page draws the document with the viewer this node serves, and
 * asks nothing of another origin. The screenshot goes to
 * TICKR_DOCS_SCREENSHOT (default: the temp folder), for a person to look at.
 */

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let n: OrdersNode;
let browser: Browser;

beforeAll(async () => {
  n = await startOrdersNode();
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await n?.stop();
});

describe('GET /api/docs in a browser', () => {
  it('shows every group of routes and the check-in body, loading nothing from another origin', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const elsewhere: string[] = [];
    const blocked: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(n.base) && !r.url().startsWith('data:')) elsewhere.push(r.url()); });
    page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) blocked.push(m.text()); });
    await page.goto(`${n.base}/api/docs`);
    await page.getByText('Tickr API').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: process.env.TICKR_DOCS_SCREENSHOT || join(tmpdir(), 'tickr-api-docs.png'), fullPage: false });
    for (const group of ['Check-in', 'Staff', 'Refunds', 'Payouts', 'Holds']) await page.getByText(group, { exact: true }).first().waitFor({ timeout: 10_000 });
    // Groups open on demand: open Check-in, then its scan route, whose body and answers are shown.
    await page.getByText('Check-in', { exact: true }).first().click();
    await page.getByText('Scan a ticket at a gate (online)').first().click();
    await page.getByText('Whether to admit.').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: process.env.TICKR_DOCS_SCREENSHOT_ROUTE || join(tmpdir(), 'tickr-api-docs-checkin.png'), fullPage: false });
    expect(elsewhere).toEqual([]);
    expect(blocked).toEqual([]);
  }, 60_000);
});
