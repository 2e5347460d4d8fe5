/**
 * The Content-Security-Policy of a page. SvelteKit writes it from
 * `kit.csp` in svelte.config.js (with a nonce for its inline hydration
 * script), but that policy is fixed at build time, and two sources are only
 * known per request: the queue's WebSocket is on the edge's port of the
 * page's own host name, and Stripe's script and frames are needed only where
 * Stripe is configured. `handle` adds them here.
 */

export type Sources = Partial<Record<string, string[]>>;

/** `header` with `extra` sources added to their directives (a directive it lacks is added whole). */
export function widenCsp(header: string, extra: Sources): string {
  const directives = header.split(';').map((part) => part.trim()).filter((part) => part !== '');
  const names = directives.map((d) => d.split(/\s+/, 1)[0]!.toLowerCase());
  for (const [name, sources] of Object.entries(extra)) {
    if (!sources || sources.length === 0) continue;
    const at = names.indexOf(name);
    if (at === -1) {
      directives.push([name, ...sources].join(' '));
      names.push(name);
      continue;
    }
    const present = new Set(directives[at]!.split(/\s+/).slice(1));
    const added = sources.filter((s) => !present.has(s));
    if (added.length > 0) directives[at] = [directives[at], ...added].join(' ');
  }
  return directives.join('; ');
}

/**
 * The origin of the queue's WebSocket as the browser will open it
 * (`wsBaseOf` in $lib/organizer/live.ts): the configured public WebSocket URL,
 * else ws(s)://<page host>:<edge port>.
 */
export function webSocketOrigin(page: URL, edgePort: number, publicWsUrl: string | null): string | null {
  if (publicWsUrl) {
    try {
      const url = new URL(publicWsUrl);
      return url.protocol === 'ws:' || url.protocol === 'wss:' ? url.origin : null;
    } catch {
      return null;
    }
  }
  // The host name comes from the request's Host header: anything but a plain name or address is left out, not pasted into the policy.
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(page.hostname)) return null;
  return `${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.hostname}:${edgePort}`;
}

/** What Stripe's Payment Element loads, as Stripe documents it for a Content-Security-Policy. */
export const stripeSources: Sources = {
  'script-src': ['https://js.stripe.com'],
  'frame-src': ['https://js.stripe.com', 'https://hooks.stripe.com'],
  'connect-src': ['https://api.stripe.com'],
};
