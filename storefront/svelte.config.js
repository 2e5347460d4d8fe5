import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * adapter-node reads its settings (ORIGIN, PROTOCOL_HEADER, ...) from the
 * environment; the TICKR_WEB_ prefix keeps them apart from the engine's own
 * PORT and HOST, since both run in one process under `npm start`.
 */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', envPrefix: 'TICKR_WEB_' }),
  },
};
