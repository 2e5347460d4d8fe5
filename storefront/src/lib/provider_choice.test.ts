import { describe, expect, it } from 'vitest';
import { offeredFor } from './provider_choice';

describe('offeredFor', () => {
  it('offers Konnect (e-Dinar) and Clictopay on TND holds only', () => {
    expect(offeredFor(['simulated', 'stripe', 'clictopay', 'konnect'], 'TND')).toEqual(['simulated', 'stripe', 'clictopay', 'konnect']);
    expect(offeredFor(['simulated', 'stripe', 'clictopay', 'konnect'], 'EUR')).toEqual(['simulated', 'stripe']);
  });

  it('offers nothing the server has not configured', () => {
    expect(offeredFor(['simulated'], 'TND')).toEqual(['simulated']);
  });
});
