import type { Provider } from './api';

/** Providers that take Tunisian dinars only: the engine refuses them for another currency (422), so they are not offered. */
const tndOnly: readonly Provider[] = ['clictopay', 'konnect'];

/** Of the providers this server can take, those a buyer may choose for a hold in `currency`. */
export function offeredFor(configured: readonly Provider[], currency: string): Provider[] {
  return configured.filter((p) => currency === 'TND' || !tndOnly.includes(p));
}
