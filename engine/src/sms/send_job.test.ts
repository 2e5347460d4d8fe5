import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import type { Engine } from '../engine.ts';
import type { JobData, JobDeps, Jobs, QueueName } from '../jobs/queues.ts';
import { startJobs } from '../jobs/boss.ts';
import { handlers } from '../jobs/handlers.ts';
import { inTransaction } from '../db/transaction.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { notifyBuyer } from './notify.ts';
import { queueSms } from './outbox.ts';
import { sendSmsJob } from './send_job.ts';

/** Jobs that only remember what was sent. */
function recordingJobs() {
  const sent: { queue: QueueName; data: JobData[QueueName]; key: string }[] = [];
  const jobs: Jobs = {
    async send(queue, data, options) { sent.push({ queue, data, key: options.key }); },
    async sendMany(queue, many) { for (const job of many) sent.push({ queue, data: job.data, key: job.key }); },
  };
  return { jobs, sent };
}

/**
 * A local stand-in for SNS, speaking the part of its Query API that
 * PublishCommand uses: a form-encoded POST (Action=Publish, Version,
 * PhoneNumber, Message, MessageAttributes.entry.N.*) signed with SigV4 for
 * the "sns" service, answered with a PublishResponse XML, or a 500 on demand.
 */
type Publish = { form: URLSearchParams; authorization: string };
let sns: Server;
let snsUrl: string;
const published: Publish[] = [];
let snsFails = false;
/** The double fails this many further Publish calls (then answers again). */
let snsFailsNext = 0;
let t: TestDatabase;

beforeAll(async () => {
  t = await freshDatabase();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  sns = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const badRequest = req.method !== 'POST' || form.get('Action') !== 'Publish' || form.get('Version') !== '2010-03-31'
        || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded');
      if (badRequest) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not a Publish</Message></Error><RequestId>r</RequestId></ErrorResponse>');
        return;
      }
      published.push({ form, authorization: String(req.headers.authorization ?? '') });
      if (snsFails || snsFailsNext > 0) {
        snsFailsNext = Math.max(0, snsFailsNext - 1);
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message></Error><RequestId>r</RequestId></ErrorResponse>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sms-msg-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`);
    });
  });
  await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
  snsUrl = `http://127.0.0.1:${(sns.address() as { port: number }).port}`;
});

afterAll(async () => {
  sns?.close();
  await t?.drop();
});

beforeEach(() => {
  published.length = 0;
  snsFails = false;
  snsFailsNext = 0;
});

function deps(env: Record<string, string>, jobs: Jobs): JobDeps {
  return { db: t.db, jobs, engine: null as unknown as Engine, config: readConfig({ TICKR_LOG_LEVEL: 'warn', ...env }), log: () => {}, now: Date.now };
}

const production = { NODE_ENV: 'production', TICKR_TOKEN_SECRET: 'p'.repeat(40), TICKR_TICKET_KEY_SECRET: 'k'.repeat(40) };
const snsEnv = () => ({ TICKR_SNS_REGION: 'eu-west-1', TICKR_SNS_ENDPOINT: snsUrl });

const reminder = (key: string, locale = 'fr') => ({
  to: '+21620123456', template: 'event_reminder' as const, locale, key,
  data: { eventName: 'Nuit du jazz', startsAt: '2027-03-12T20:00:00Z', ticketsUrl: 'https://shop.test/orders/o-1' },
});

async function outboxRow(id: string) {
  return (await t.db.query('SELECT status, attempts, provider_message_id, last_error, body, encoding, segments FROM sms_outbox WHERE id = $1', [id])).rows[0];
}

async function account(notify: 'email' | 'sms' | 'both', phone: string | null): Promise<string> {
  const { rows } = await t.db.query(
    `INSERT INTO accounts (email, password_hash, name, role, phone, notify) VALUES ($1, 'x', 'Ada', 'participant', $2, $3) RETURNING id`,
    [`${randomUUID()}@example.com`, phone, notify]);
  return (rows[0] as { id: string }).id;
}

describe('queueSms', () => {
  it('queues one SMS and one sms-send job keyed by its id, however often it is called', async () => {
    const { jobs, sent } = recordingJobs();
    const first = await queueSms(t.db, jobs, reminder('event_reminder:e-1'));
    const second = await queueSms(t.db, jobs, reminder('event_reminder:e-1'));
    expect(second).toBe(first);
    expect(sent).toEqual([{ queue: 'sms-send', data: { smsId: first }, key: first }]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM sms_outbox WHERE key = 'event_reminder:e-1'`)).rows[0].n).toBe(1);
  });

  it('queues nothing when the transaction that causes the SMS rolls back', async () => {
    const { jobs } = recordingJobs();
    const client = await t.db.connect();
    await client.query('BEGIN');
    await queueSms(client, jobs, reminder('event_reminder:rolled-back'));
    await client.query('ROLLBACK');
    client.release();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM sms_outbox WHERE key = 'event_reminder:rolled-back'`)).rows[0].n).toBe(0);
  });
});

describe('sms-send', () => {
  it('with SNS publishes the text to the phone through the configured endpoint, signed for sns in the region, and keeps its message id; a rerun sends nothing', async () => {
    const { jobs } = recordingJobs();
    const id = await queueSms(t.db, jobs, reminder('event_reminder:sns', 'ar'));
    const env = { ...snsEnv(), TICKR_SMS_SENDER_ID: 'Tickr' };
    await sendSmsJob(deps(env, jobs), { smsId: id });
    await sendSmsJob(deps(env, jobs), { smsId: id });
    expect(published).toHaveLength(1);
    const { form, authorization } = published[0]!;
    expect(form.get('PhoneNumber')).toBe('+21620123456');
    expect(form.get('Message')).toBe((await outboxRow(id)).body);
    expect(form.get('Message')).toContain('Nuit du jazz');
    expect(form.get('Message')).toContain('https://shop.test/orders/o-1');
    const attributes = new Map<string, string>();
    for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
      attributes.set(form.get(`MessageAttributes.entry.${n}.Name`)!, form.get(`MessageAttributes.entry.${n}.Value.StringValue`)!);
    }
    expect(Object.fromEntries(attributes)).toEqual({ 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'Tickr' });
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/sns\/aws4_request/);
    expect(await outboxRow(id)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'sms-msg-1', encoding: 'ucs2', segments: 2 });
  });

  it('with SNS failing, records the attempt and error and throws so pg-boss retries; the retry sends it once', async () => {
    const { jobs } = recordingJobs();
    const id = await queueSms(t.db, jobs, reminder('event_reminder:sns-fail'));
    snsFails = true;
    await expect(sendSmsJob(deps(snsEnv(), jobs), { smsId: id })).rejects.toThrow(/queue sms-send, sms/);
    expect(await outboxRow(id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await outboxRow(id)).last_error).toBeTruthy();
    snsFails = false;
    await sendSmsJob(deps(snsEnv(), jobs), { smsId: id });
    await sendSmsJob(deps(snsEnv(), jobs), { smsId: id });
    expect(published).toHaveLength(2);
    expect(await outboxRow(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null, provider_message_id: 'sms-msg-2' });
  });

  it('without SNS in development marks the SMS delivered to the dev outbox, once, and calls no one', async () => {
    const { jobs } = recordingJobs();
    const id = await queueSms(t.db, jobs, reminder('event_reminder:dev'));
    await sendSmsJob(deps({}, jobs), { smsId: id });
    await sendSmsJob(deps({}, jobs), { smsId: id });
    expect(await outboxRow(id)).toMatchObject({ status: 'outbox', attempts: 1 });
    expect(published).toHaveLength(0);
  });

  it('without SNS in production fails with a reason (retried, then dead-lettered), never marks the SMS delivered', async () => {
    const { jobs } = recordingJobs();
    const id = await queueSms(t.db, jobs, reminder('event_reminder:prod'));
    await expect(sendSmsJob(deps(production, jobs), { smsId: id })).rejects.toThrow(/TICKR_SNS_REGION is not set/);
    expect(await outboxRow(id)).toMatchObject({ status: 'queued', attempts: 1 });
  });
});

describe('sms-send through pg-boss', () => {
  it('retries a Publish the double failed, sends the SMS once, and drops a second job with the same key', { timeout: 60_000 }, async () => {
    const runtime = await startJobs({ dbUrl: t.url, log: () => {}, poolMax: 3, retry: { limit: 3, delaySeconds: 1, backoff: false } });
    try {
      await runtime.work(handlers, deps(snsEnv(), runtime));
      snsFailsNext = 1;
      const id = await inTransaction(t.db, (tx) => queueSms(tx, runtime, reminder('event_reminder:boss')));
      // The cause's transaction ran twice (a rerun of its job): the SMS and its job exist once.
      await runtime.send('sms-send', { smsId: id }, { key: id });
      for (let waited = 0; (await outboxRow(id)).status !== 'sent'; waited++) {
        if (waited > 200) throw new Error(`the SMS was not sent: ${JSON.stringify(await outboxRow(id))}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await outboxRow(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null, provider_message_id: 'sms-msg-2' });
      expect(published.map((p) => p.form.get('PhoneNumber'))).toEqual(['+21620123456', '+21620123456']);
    } finally {
      await runtime.stop();
    }
  });
});

describe('notifyBuyer', () => {
  const notice = (buyer: string) => ({
    email: { to: 'ada@example.com', template: 'refund_notice' as const, locale: 'en', key: `refund_notice:${buyer}`,
      data: { name: 'Ada', eventName: 'Jazz', orderId: 'o-1', amount: 25_500, currency: 'TND', reason: 'organizer' as const } },
    sms: { template: 'refund_notice' as const, locale: 'en', key: `refund_notice:${buyer}`,
      data: { eventName: 'Jazz', amount: 25_500, currency: 'TND', ticketsUrl: 'https://shop.test/orders/o-1' } },
  });

  it('sends what each buyer chose: email, SMS, or both', async () => {
    const { jobs, sent } = recordingJobs();
    const config = { smsAvailable: true };
    const byEmail = await account('email', '+21620123456');
    const bySms = await account('sms', '+21620123457');
    const byBoth = await account('both', '+21620123458');
    const e = await t.db.connect();
    try {
      expect(await notifyBuyer(e, { jobs, config }, byEmail, notice(byEmail))).toMatchObject({ emailId: expect.any(String), smsId: null });
      expect(await notifyBuyer(e, { jobs, config }, bySms, notice(bySms))).toMatchObject({ emailId: null, smsId: expect.any(String) });
      expect(await notifyBuyer(e, { jobs, config }, byBoth, notice(byBoth))).toMatchObject({ emailId: expect.any(String), smsId: expect.any(String) });
    } finally {
      e.release();
    }
    expect(sent.map((s) => s.queue)).toEqual(['email-send', 'sms-send', 'email-send', 'sms-send']);
    const text = (await t.db.query(`SELECT to_phone, body FROM sms_outbox WHERE key = $1`, [`refund_notice:${bySms}`])).rows[0];
    expect(text).toEqual({ to_phone: '+21620123457', body: 'Tickr: your order for Jazz was refunded (25.500 TND). Its tickets no longer admit. https://shop.test/orders/o-1' });
  });

  it('emails a buyer who chose SMS where SMS cannot be sent (production without SNS): the notice is never dropped', async () => {
    const { jobs, sent } = recordingJobs();
    const bySms = await account('sms', '+21620123459');
    expect(await notifyBuyer(t.db as never, { jobs, config: { smsAvailable: false } }, bySms, notice(bySms))).toMatchObject({ emailId: expect.any(String), smsId: null });
    expect(sent.map((s) => s.queue)).toEqual(['email-send']);
  });

  it('the database refuses SMS without a phone', async () => {
    await expect(account('sms', null)).rejects.toThrow(/accounts_notify_phone_check/);
  });
});
