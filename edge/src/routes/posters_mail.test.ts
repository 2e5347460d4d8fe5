import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../../engine/src/mail/templates.ts';
import { picture } from '../../../engine/src/testing/pictures.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * The poster in emails (#14): an order confirmation carries the event's
 * poster as an absolute URL on the storefront's address (TICKR_PUBLIC_URL,
 * http://shop.test here) to a JPEG rendition the edge serves.
 */

let n: OrdersNode;

beforeAll(async () => {
  n = await startOrdersNode();
}, 120_000);

afterAll(async () => {
  await n?.stop();
});

describe('the order confirmation email', () => {
  it('shows the event\'s poster: a JPEG the edge serves, by an absolute URL', async () => {
    const organizer = await n.api.signup('organizer');
    const buyer = await n.api.signup('participant');
    const event = await n.api.createEvent(organizer.token, { name: 'Poster night' });
    const upload = await fetch(`${n.base}/api/events/${event.id}/poster`, {
      method: 'PUT', headers: { authorization: `Bearer ${organizer.token}`, 'content-type': 'image/png' }, body: await picture('png', 1800, 1200),
    });
    expect(upload.status).toBe(200);
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(checkout.status).toBe(201);
    expect((await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } })).status).toBe(200);
    const email = await until(async () => (await n.t.db.query(
      `SELECT body_html, body_text FROM email_outbox WHERE template = 'order_confirmation' AND key = $1`, [`order_confirmation:${checkout.body.id}`])).rows[0],
    'the order confirmation');
    const img = /<img src="http:\/\/shop\.test(\/api\/posters\/[0-9a-f]{64}\.jpg)" alt="Poster night" width="(\d+)" height="(\d+)"/.exec(email.body_html);
    expect(img, email.body_html).not.toBeNull();
    // 640 wide (the JPEG nearest above 600), shown at 600 × 400.
    expect([img![2], img![3]]).toEqual(['600', '400']);
    const served = await fetch(n.base + img![1]);
    expect(served.status).toBe(200);
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 427]);
    // The text version has no picture to show, and no URL of one.
    expect(email.body_text).not.toContain('/api/posters/');
  });
});

describe('the email templates', () => {
  const reminder = { name: 'Pat', eventName: 'Jazz "night" <live>', venue: 'Hall', startsAt: '2030-01-01T20:00:00Z', ticketsUrl: 'https://shop.test/orders/1', ticketCount: 2 };

  it('put the poster first in the HTML, escaped, sized to at most 600 pixels wide', () => {
    const html = renderEmail('event_reminder', 'fr', { ...reminder, poster: { url: 'https://shop.test/api/posters/a.jpg?x=1&y=2', width: 1280, height: 640 } }).html;
    expect(html).toContain('<body><p><img src="https://shop.test/api/posters/a.jpg?x=1&amp;y=2" alt="Jazz &quot;night&quot; &lt;live&gt;" width="600" height="300"');
    const narrow = renderEmail('event_reminder', 'en', { ...reminder, poster: { url: 'https://shop.test/p.jpg', width: 320, height: 480 } }).html;
    expect(narrow).toContain('width="320" height="480"');
  });

  it('have no picture for an event without a poster, nor for an email queued before posters existed', () => {
    expect(renderEmail('event_reminder', 'en', { ...reminder, poster: null }).html).not.toContain('<img');
    expect(renderEmail('event_reminder', 'en', reminder).html).not.toContain('<img');
  });
});
