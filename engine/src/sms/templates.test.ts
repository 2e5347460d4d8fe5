import { describe, expect, it } from 'vitest';
import { smsSegmentsMax } from '../constants.ts';
import { locales } from '../mail/templates.ts';
import { smsEncoding, smsSegments } from './segments.ts';
import { renderSms, smsTemplateNames, type SmsTemplateData } from './templates.ts';

const url = 'https://tickr.example.tn/orders/0b8f6a9e-2a4c-4d1e-9f3b-123456789abc';
/** Fields for every template at once: each takes the ones it needs. */
type AnyData = SmsTemplateData['tickets_issued'] & SmsTemplateData['refund_notice'];
const data = (eventName: string): AnyData => ({ eventName, startsAt: '2027-03-12T20:00:00Z', ticketsUrl: url, amount: 25_500, currency: 'TND' });

describe('SMS segments', () => {
  it('counts GSM-7 at 160 a part and 153 once split, extension characters as two', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'gsm7', segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'gsm7', segments: 2 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'gsm7', segments: 2 });
    expect(smsSegments('a'.repeat(307))).toEqual({ encoding: 'gsm7', segments: 3 });
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'gsm7', segments: 1 });
    expect(smsSegments('€'.repeat(81))).toEqual({ encoding: 'gsm7', segments: 2 });
  });

  it('sends any character outside GSM-7 (Arabic, ê, ç, a typographic apostrophe) as UCS-2, 70 a part and 67 once split', () => {
    for (const c of ['ت', 'ê', 'ç', '’', '—']) expect(smsEncoding(`Tickr ${c}`)).toBe('ucs2');
    expect(smsEncoding("é è à ù l'entrée")).toBe('gsm7');
    expect(smsSegments('ت'.repeat(70))).toEqual({ encoding: 'ucs2', segments: 1 });
    expect(smsSegments('ت'.repeat(71))).toEqual({ encoding: 'ucs2', segments: 2 });
    expect(smsSegments('ت'.repeat(134))).toEqual({ encoding: 'ucs2', segments: 2 });
  });
});

describe('SMS texts', () => {
  it('carry the event, its date and the order page in every language, within two parts; en and fr stay GSM-7', () => {
    for (const template of smsTemplateNames) {
      for (const locale of locales) {
        const sms = renderSms(template, locale, data('Nuit du jazz'));
        expect(sms.body).toContain('Nuit du jazz');
        expect(sms.body).toContain(url);
        if (template !== 'refund_notice') expect(sms.body).toMatch(/12.*2027 20:00 UTC/);
        else expect(sms.body).toContain('25.500 TND');
        expect(sms.segments).toBeLessThanOrEqual(smsSegmentsMax);
        expect(sms.encoding).toBe(locale === 'ar' ? 'ucs2' : 'gsm7');
      }
    }
  });

  it('shorten a long event name to fit two parts, and never carry a ticket secret', () => {
    const long = 'Festival International de Carthage : soirée de clôture avec orchestre symphonique et invités surprise';
    for (const template of smsTemplateNames) {
      for (const locale of locales) {
        const sms = renderSms(template, locale, data(long));
        expect(sms.segments).toBeLessThanOrEqual(smsSegmentsMax);
        expect(sms.body).toContain('Festival Int');
        expect(sms.body).toContain(url);
      }
    }
    expect(renderSms('tickets_issued', 'ar', data(long)).body).toContain('...');
  });

  it('fall back to English for an unknown language', () => {
    expect(renderSms('tickets_issued', 'xx', data('Jazz')).body).toBe(
      `Tickr: your tickets for Jazz, 12 Mar 2027 20:00 UTC. Show them at the door: ${url}`);
    expect(renderSms('tickets_issued', 'fr-TN', data('Jazz')).body).toBe(
      `Tickr : vos billets pour Jazz, le 12/03/2027 20:00 UTC. A montrer à l'entrée : ${url}`);
  });
});
