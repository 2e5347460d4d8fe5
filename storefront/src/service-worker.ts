/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';

/**
 * Keeps the door scanner working through bad Wi-Fi: the app's own files
 * (hashed, so cache-first is safe), the scanner's pages, and the event's
 * public key, revocation list and check-in lists (network first, the last
 * good copy when offline). Everything else (buying, queues, payments) is
 * never answered from a cache: it passes straight to the network.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;
const cacheName = `tickr-${version}`;
const assets = new Set([...build, ...files]);
/** What the scanner needs offline, besides the app's files. */
const scannerPaths = [/^\/scan(\/|$)/, /^\/api\/events\/[^/]+\/keys$/, /^\/api\/events\/[^/]+\/checkin\/lists$/, /^\/api\/events\/[^/]+$/];

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll([...assets])).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== cacheName) await caches.delete(key);
    await sw.clients.claim();
  })());
});

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (assets.has(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(request)));
    return;
  }
  // API answers are kept only for the scanner's own calls: the buying pages always ask the network.
  const fromScanner = request.mode === 'navigate' || /^\/scan(\/|$)/.test(new URL(request.referrer || sw.location.origin).pathname);
  if (fromScanner && scannerPaths.some((p) => p.test(url.pathname))) event.respondWith(networkFirst(request));
});
