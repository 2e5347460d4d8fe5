import { describe, expect, it } from 'vitest';
import { renderEmail, when } from './templates.ts';

describe('emails name the event time in its own zone (#15)', () => {
  const data = { name: 'Amel', eventName: 'Nuit du Jazz', venue: 'Carthage', startsAt: '2027-07-10T19:00:00.000Z', ticketsUrl: 'https://tickr.test/orders/1', ticketCount: 2 };

  it('shows the reminder at the local hour, zone named', () => {
    const mail = renderEmail('event_reminder', 'fr', { ...data, timeZone: 'Africa/Tunis' });
    expect(mail.text).toContain('20:00 Africa/Tunis');
    expect(mail.html).toContain('20:00 Africa/Tunis');
  });

  it('follows summer time: Paris is UTC+2 in July and UTC+1 in January', () => {
    expect(when('2027-07-10T19:00:00.000Z', 'en', 'Europe/Paris')).toContain('9:00 PM Europe/Paris');
    expect(when('2027-01-10T19:00:00.000Z', 'en', 'Europe/Paris')).toContain('8:00 PM Europe/Paris');
  });

  it('reads UTC for an email queued before events had a zone, or an unknown zone', () => {
    expect(renderEmail('event_reminder', 'en', data).text).toContain('7:00 PM UTC');
    expect(when('2027-07-10T19:00:00.000Z', 'en', 'Mars/Olympus')).toContain('7:00 PM UTC');
  });
});
