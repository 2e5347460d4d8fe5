import { createHmac } from 'node:crypto';

/**
 * The key that signs queue tickets and admission tokens, derived from the
 * access-token secret so every node of a cluster has it without another
 * setting, and separate from it (a leaked queue key forges no sign-in).
 */
export function queueKeyOf(tokenSecret: Uint8Array): Buffer {
  return createHmac('sha256', tokenSecret).update('tickr.queue.key.v1', 'utf8').digest();
}
