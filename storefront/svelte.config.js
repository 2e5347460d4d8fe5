import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * adapter-node reads its settings (ORIGIN, PROTOCOL_HEADER, ...) from the
 * environment; the TICKR_WEB_ prefix keeps them apart from the engine's own
 * PORT and HOST, since both run in one process under `npm start`.
 */
/**
 * The Content-Security-Policy of every page. 'auto': a page rendered per
 * request carries a nonce for SvelteKit's inline hydration script, so no
 * inline script runs without one. What each source is for:
 * - img-src data: the QR codes of tickets are data: URLs;
 * - style-src-attr 'unsafe-inline': progress bars and meters set an inline
 *   width (style elements still need 'self');
 * - worker-src 'self': the scanner's service worker (offline check-in);
 * - frame-ancestors 'none': no other site may frame a page (clickjacking).
 * The camera and WebCrypto need no source. hooks.server.ts adds what is
 * known only per request: the queue's WebSocket (the edge's port, on the
 * page's host) to connect-src, and Stripe's script, frames and API where
 * Stripe is configured.
 */
const csp = {
  mode: 'auto',
  directives: {
    'default-src': ['self'],
    'script-src': ['self'],
    'style-src': ['self'],
    'style-src-attr': ['unsafe-inline'],
    'img-src': ['self', 'data:'],
    'font-src': ['self'],
    'connect-src': ['self'],
    'worker-src': ['self'],
    'manifest-src': ['self'],
    'object-src': ['none'],
    'base-uri': ['self'],
    'frame-ancestors': ['none'],
  },
};

export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', envPrefix: 'TICKR_WEB_' }),
    csp,
  },
};
