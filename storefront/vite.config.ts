import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `vite dev` alone talks to the edge at TICKR_API_URL (default http://127.0.0.1:3000), started with `npm start`.
export default defineConfig({
  plugins: [sveltekit()],
  server: { port: Number(process.env.TICKR_WEB_PORT ?? 5173) },
});
