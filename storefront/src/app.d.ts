import type { Account } from '$lib/session';
import type { Locale } from '$lib/i18n';

declare global {
  namespace App {
    interface Locals {
      /** The edge's access token from the httpOnly session cookie, or null when signed out. */
      token: string | null;
      /** Who the token speaks for, read (not verified: the edge verifies) from its payload. */
      account: Account | null;
      locale: Locale;
    }
    interface Error {
      message: string;
    }
  }
}

export {};
