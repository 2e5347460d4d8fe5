import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import type { Engine } from '../engine.ts';
import type { JobData, JobDeps, Jobs, QueueName } from '../jobs/queues.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { queueEmail } from './outbox.ts';
import { sendEmailJob } from './send_job.ts';
import { renderEmail } from './templates.ts';
import { subjectOf } from './mime_reading.ts';

/** Jobs that only remember what was sent. */
function recordingJobs() {
  const sent: { queue: QueueName; data: JobData[QueueName]; key: string }[] = [];
  const jobs: Jobs = {
    async send(queue, data, options) { sent.push({ queue, data, key: options.key }); },
    async sendMany(queue, many) { for (const job of many) sent.push({ queue, data: job.data, key: job.key }); },
  };
  return { jobs, sent };
}

/** A local stand-in for the SES query API: answers SendRawEmail with a message id, or fails on demand. */
type SesCall = { action: string; raw: string };
let ses: Server;
let sesUrl: string;
const sesCalls: SesCall[] = [];
let sesFails = false;

let t: TestDatabase;
const refund = (key: string) => ({
  to: 'ada@example.com', template: 'refund_notice' as const, locale: 'fr', key,
  data: { name: 'Ada', eventName: 'Nuit du jazz', orderId: 'o-1', amount: 25_500, currency: 'TND', reason: 'organizer' as const },
});

function deps(env: Record<string, string>, jobs: Jobs): JobDeps {
  return { db: t.db, jobs, engine: null as unknown as Engine, config: readConfig({ TICKR_LOG_LEVEL: 'warn', ...env }), log: () => {}, now: Date.now };
}

beforeAll(async () => {
  t = await freshDatabase();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  ses = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const call = { action: form.get('Action') ?? '', raw: Buffer.from(form.get('RawMessage.Data') ?? '', 'base64').toString('utf8') };
      sesCalls.push(call);
      if (sesFails) {
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error><RequestId>r</RequestId></ErrorResponse>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>msg-${sesCalls.length}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></SendRawEmailResponse>`);
    });
  });
  await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
  sesUrl = `http://127.0.0.1:${(ses.address() as { port: number }).port}`;
});

afterAll(async () => {
  ses?.close();
  await t?.drop();
});

beforeEach(() => {
  sesCalls.length = 0;
  sesFails = false;
});

async function outboxRow(id: string) {
  return (await t.db.query('SELECT status, attempts, provider_message_id, last_error, subject FROM email_outbox WHERE id = $1', [id])).rows[0];
}

describe('queueEmail', () => {
  it('queues one email and one email-send job per key, however often it is called', async () => {
    const { jobs, sent } = recordingJobs();
    const first = await queueEmail(t.db, jobs, refund('refund:o-1'));
    const second = await queueEmail(t.db, jobs, refund('refund:o-1'));
    expect(second).toBe(first);
    expect(sent).toEqual([{ queue: 'email-send', data: { emailId: first }, key: first }]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM email_outbox WHERE key = 'refund:o-1'`)).rows[0].n).toBe(1);
  });

  it('queues nothing when the transaction that causes the email rolls back', async () => {
    const { jobs } = recordingJobs();
    const client = await t.db.connect();
    await client.query('BEGIN');
    await queueEmail(client, jobs, refund('refund:rolled-back'));
    await client.query('ROLLBACK');
    client.release();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM email_outbox WHERE key = 'refund:rolled-back'`)).rows[0].n).toBe(0);
  });

  it('renders in the buyer\'s language, with the currency\'s decimals, and escapes HTML', () => {
    const fr = renderEmail('refund_notice', 'fr-TN', { ...refund('x').data, eventName: '<b>Jazz</b>' });
    expect(fr.subject).toBe('Votre remboursement pour <b>Jazz</b>');
    expect(fr.text).toMatch(/25,500\s?TND/);
    expect(fr.html).toContain('&lt;b&gt;Jazz&lt;/b&gt;');
    expect(fr.html).not.toContain('<b>Jazz');
    expect(renderEmail('refund_notice', 'ar', refund('x').data).html).toContain('dir="rtl"');
    expect(renderEmail('refund_notice', 'xx', refund('x').data).subject).toBe('Your refund for Nuit du jazz');
  });
});

describe('email-send', () => {
  it('without SES marks the email delivered to the dev outbox, once', async () => {
    const { jobs } = recordingJobs();
    const id = await queueEmail(t.db, jobs, refund('refund:dev'));
    await sendEmailJob(deps({}, jobs), { emailId: id });
    await sendEmailJob(deps({}, jobs), { emailId: id });
    expect(await outboxRow(id)).toMatchObject({ status: 'outbox', attempts: 1 });
  });

  it('with SES sends one raw email through the configured endpoint and keeps its message id; a rerun sends nothing', async () => {
    const { jobs } = recordingJobs();
    const id = await queueEmail(t.db, jobs, { ...refund('refund:ses'), data: { ...refund('x').data, eventName: 'Fête du jazz' } });
    const env = { TICKR_SES_REGION: 'eu-west-1', TICKR_SES_ENDPOINT: sesUrl, TICKR_MAIL_FROM: 'Tickr <tickets@example.com>' };
    await sendEmailJob(deps(env, jobs), { emailId: id });
    await sendEmailJob(deps(env, jobs), { emailId: id });
    expect(sesCalls.map((c) => c.action)).toEqual(['SendRawEmail']);
    const raw = sesCalls[0]!.raw;
    expect(raw).toContain('From: Tickr <tickets@example.com>');
    expect(raw).toContain('To: ada@example.com');
    // A subject that is not ASCII ("ê") goes as an RFC 2047 encoded word.
    expect(subjectOf(raw)).toBe('Votre remboursement pour Fête du jazz');
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8/i);
    expect(await outboxRow(id)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'msg-1' });
  });

  it('with SES failing, records the attempt and error and throws so pg-boss retries; the retry sends it', async () => {
    const { jobs } = recordingJobs();
    const id = await queueEmail(t.db, jobs, refund('refund:ses-fail'));
    const env = { TICKR_SES_REGION: 'eu-west-1', TICKR_SES_ENDPOINT: sesUrl };
    sesFails = true;
    await expect(sendEmailJob(deps(env, jobs), { emailId: id })).rejects.toThrow(/queue email-send, email/);
    expect(await outboxRow(id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await outboxRow(id)).last_error).toBeTruthy();
    sesFails = false;
    await sendEmailJob(deps(env, jobs), { emailId: id });
    expect(await outboxRow(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });
});
