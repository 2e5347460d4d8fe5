import { describe, expect, it } from 'vitest';
import { editBody, eventBody, formField, toMinor, utcInput } from './form.ts';

describe('organizer form values', () => {
  it('reads amounts in the currency\'s own units into minor units', () => {
    expect(toMinor('45', 'TND')).toBe(45_000);
    expect(toMinor('45,5', 'TND')).toBe(45_500);
    expect(toMinor('12.99', 'EUR')).toBe(1_299);
    expect(toMinor('12.999', 'EUR')).toBeNull();
    expect(toMinor('abc', 'EUR')).toBeNull();
    expect(toMinor('-3', 'EUR')).toBeNull();
  });

  it('reads a datetime-local value as UTC', () => {
    expect(utcInput('2027-07-10T20:00')).toBe('2027-07-10T20:00:00.000Z');
    expect(utcInput('')).toBeNull();
    expect(utcInput('tomorrow')).toBeUndefined();
  });

  it('builds the event body and skips blank ticket type rows', () => {
    const form = new FormData();
    form.set('name', 'Nuit du Jazz');
    form.set('startsAt', '2027-07-10T20:00');
    form.set('currency', 'TND');
    for (const [n, p, c] of [['Standard', '45', '300'], ['', '', '']]) {
      form.append('typeName', n!);
      form.append('typePrice', p!);
      form.append('typeCapacity', c!);
    }
    const made = eventBody(form);
    expect(made.ok && made.body.ticketTypes).toEqual([{ name: 'Standard', price: 45_000, capacity: 300 }]);
    form.set('startsAt', '');
    expect(eventBody(form)).toEqual({ ok: false, problem: 'create.problemStartsAt' });
  });
});

describe('the edit form (#15)', () => {
  const current = {
    currency: 'EUR', exponent: 2, timeZone: 'Europe/Paris',
    ticketTypes: [{ id: 'a', name: 'Parterre', price: 3_000, capacity: 100 }, { id: 'b', name: 'Balcon', price: 2_000, capacity: 50, retired: false }],
  };
  function filled(): FormData {
    const form = new FormData();
    form.set('name', 'Soirée');
    form.set('timeZone', 'Europe/Paris');
    form.set('startsAt', '2027-07-10T20:00');
    form.set('perBuyerLimit', '4');
    form.set('holdTtlMinutes', '8');
    form.set('refundPolicy', 'none');
    for (const t of current.ticketTypes) {
      form.set(`type.${t.id}.name`, t.name);
      form.set(`type.${t.id}.price`, String(t.price / 100));
      form.set(`type.${t.id}.capacity`, String(t.capacity));
    }
    return form;
  }

  it('reads local times in the chosen zone and sends only the types that changed', () => {
    const form = filled();
    form.set('type.b.retired', 'on');
    form.append('newTypeName', 'Étudiant');
    form.append('newTypePrice', '10');
    form.append('newTypeCapacity', '20');
    const made = editBody(form, current);
    expect(made.ok && made.body).toMatchObject({
      startsAt: '2027-07-10T18:00:00.000Z', endsAt: null, timeZone: 'Europe/Paris', holdTtlSeconds: 480,
      ticketTypes: [{ id: 'b', retired: true }], newTicketTypes: [{ name: 'Étudiant', price: 1_000, capacity: 20 }],
    });
  });

  it('names the field of a problem', () => {
    const form = filled();
    form.set('latitude', '36.8');
    expect(editBody(form, current)).toEqual({ ok: false, field: 'latitude', problem: 'create.problemCoords' });
    const zone = filled();
    zone.set('timeZone', 'Mars/Olympus');
    expect(editBody(zone, current)).toMatchObject({ ok: false, field: 'timeZone' });
    const price = filled();
    price.set('type.a.price', '3.001');
    expect(editBody(price, current)).toMatchObject({ ok: false, field: 'type.a.price' });
  });

  it('maps the edge\'s field names onto the form\'s inputs', () => {
    const body = { ticketTypes: [{ id: 'b', capacity: 1 }] };
    expect(formField('ticketTypes[0].capacity', body)).toBe('type.b.capacity');
    expect(formField('holdTtlSeconds', body)).toBe('holdTtlMinutes');
    expect(formField('endsAt', body)).toBe('endsAt');
    expect(formField('newTicketTypes[0].name', body)).toBe('newTypes');
    expect(formField(undefined, body)).toBeNull();
  });
});
