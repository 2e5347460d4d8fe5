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
      /** Set when the edge refused the token during this request: the response becomes a redirect to sign in. */
      sessionEnded: boolean;
    }
    interface Error {
      message: string;
    }
  }
}

export {};
