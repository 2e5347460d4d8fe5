import uWS from 'uWebSockets.js';
import type { Config } from '../../engine/src/config.ts';
import { tokenTtlSeconds } from '../../engine/src/constants.ts';
import type { Db } from '../../engine/src/db/pool.ts';
import type { Engine } from '../../engine/src/engine.ts';
import type { Logger } from '../../engine/src/log.ts';
import { createAccountStates, type AccountStates } from './auth/account_states.ts';
import { createHashGate, type HashGate } from './auth/hash_gate.ts';
import { createTokens, type Tokens } from './auth/tokens.ts';
import { EdgeMetrics } from './http/metrics.ts';
import { nodeRegistry } from '../../engine/src/metrics.ts';
import { createAddressResolver } from './http/client_address.ts';
import { createRouter, type ListingRouter, type MountedRoute } from './http/route.ts';
import { mountAccounts } from './routes/accounts.ts';
import { mountAuth } from './routes/auth.ts';
import { mountBench } from './routes/bench.ts';
import { mountEvents } from './routes/events.ts';
import { mountEventCancel } from './routes/event_cancel.ts';
import { mountHealth } from './routes/health.ts';
import { mountApiDocs } from './routes/api_docs.ts';
import { isDescribed } from './api/table.ts';
import { mountHolds } from './routes/holds.ts';
import { AdmissionGate } from './queue/admission_gate.ts';
import { queueKeyOf } from './queue/keys.ts';
import { DropSettingsCache } from './queue/settings_cache.ts';
import { HoldPolicy } from './queue/hold_policy.ts';
import { mountAccountLinks } from './routes/account_links.ts';
import { mountAccountContact } from './routes/account_contact.ts';
import { mountAccountSelf } from './routes/account_self.ts';
import { mountDevSms } from './routes/dev_sms.ts';
import { mountQueue } from './routes/queue.ts';
import { mountQueueBench } from './routes/queue_bench.ts';
import { mountQueueLive, type QueueLive } from './ws/queue_live.ts';
import { mountCheckin } from './routes/checkin.ts';
import { mountCheckinAdmin } from './routes/checkin_admin.ts';
import { mountDevMail } from './routes/dev_mail.ts';
import { mountTickets } from './routes/tickets.ts';
import { mountOrders } from './routes/orders.ts';
import { mountOrderCalendar } from './routes/order_calendar.ts';
import { mountPayments } from './routes/payments.ts';
import { mountOps } from './routes/ops.ts';
import { mountManualRefunds } from './routes/manual_refunds.ts';
import { mountPromoCodes } from './routes/promo_codes.ts';
import { mountSales } from './routes/sales.ts';
import type { Jobs } from '../../engine/src/jobs/queues.ts';
import { openPosterStore } from '../../engine/src/posters/open_store.ts';
import type { PosterStore } from '../../engine/src/posters/store.ts';
import { mountPosters } from './routes/posters.ts';

/** The native build has HTTP/3; the JS fallback (a slow stand-in) does not. */
export function uwsIsNative(): boolean {
  return typeof (uWS as unknown as { H3App?: unknown }).H3App === 'function';
}

export type Server = {
  app: uWS.TemplatedApp;
  tokens: Tokens;
  /** Each token's account as it stands (role, version, deletion), cached briefly. */
  accounts: AccountStates;
  metrics: EdgeMetrics;
  /** The virtual queue's WebSocket side (waiters on this node). */
  queueLive: QueueLive;
  /** Where event posters are kept (config.posterStore, unless the caller gave one). */
  posters: PosterStore;
  /** Every HTTP route this server mounted (the WebSocket route is apart: ws/queue_live.ts). */
  routes: readonly MountedRoute[];
  /** Listens on config.host:config.port; resolves with the real port (port 0 picks one). */
  listen(): Promise<number>;
  close(): void;
};

/**
 * `hashGate`: the bound on password hashing (tests pass a small one); default from constants.
 * `limitsNow`: the clock of the sign-in and sign-up limits (tests hold it still); default Date.now.
 * `posters`: where posters are kept; default the store config.posterStore names.
 */
export function createServer(opts: { config: Config; db: Db; engine: Engine; log: Logger; jobs?: Jobs; hashGate?: HashGate; limitsNow?: () => number; posters?: PosterStore }): Server {
  const { config, db, engine, log } = opts;
  const app = uWS.App();
  const accounts = createAccountStates(db);
  const tokens = createTokens(config.tokenSecret, tokenTtlSeconds, Date.now, undefined, accounts);
  const gate = opts.hashGate ?? createHashGate();
  const metrics = new EdgeMetrics(nodeRegistry());
  engine.registerMetrics(metrics.registry);
  const router = createRouter(app, { tokens, log, metrics, resolveAddress: createAddressResolver(config.trustProxy), hsts: config.secureTransport, described: isDescribed });

  const { queueLive, posters } = mountRoutes(app, router, { ...opts, tokens, accounts, gate, metrics });
  router.finish();

  let listenSocket: uWS.us_listen_socket | null = null;
  return {
    app,
    tokens,
    accounts,
    metrics,
    queueLive,
    posters,
    routes: router.mounted(),
    listen() {
      return new Promise<number>((resolve, reject) => {
        app.listen(config.host, config.port, (socket) => {
          if (socket === false) return reject(new Error(`cannot listen on ${config.host}:${config.port}; is the port in use?`));
          listenSocket = socket;
          const port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
          log('info', `edge listening on http://${config.host}:${port} (${uwsIsNative() ? 'native' : 'fallback'} uWebSockets.js)`);
          resolve(port);
        });
      });
    },
    close() {
      queueLive.close();
      accounts.close();
      if (listenSocket !== null) uWS.us_listen_socket_close(listenSocket);
      listenSocket = null;
      (app as unknown as { close?: () => void }).close?.();
    },
  };
}

/** Mounts every route of the edge on `router` (and the queue's WebSocket route on `app`). */
function mountRoutes(app: uWS.TemplatedApp, router: ListingRouter, opts: Parameters<typeof createServer>[0] & { tokens: Tokens; accounts: AccountStates; gate: HashGate; metrics: EdgeMetrics }): { queueLive: QueueLive; posters: PosterStore } {
  const { config, db, engine, log, tokens, accounts, gate, metrics } = opts;
  mountHealth(router, { config, db, engine, metrics });
  mountApiDocs(router, { mounted: () => router.mounted() });
  mountAuth(router, { db, tokens, gate, signupsPerAddress: config.signupsPerAddress, smsAvailable: config.smsAvailable, ...(opts.limitsNow ? { now: opts.limitsNow } : {}) });
  mountAccounts(router, { db, tokens, accounts, gate });
  mountAccountContact(router, { db, config });
  mountAccountSelf(router, { db, tokens, config, accounts, gate, ...(opts.jobs ? { jobs: opts.jobs } : {}) });
  mountEvents(router, { config, db, engine, metrics, ...(opts.jobs ? { jobs: opts.jobs } : {}) });
  const queueKey = queueKeyOf(config.tokenSecret);
  const dropSettings = new DropSettingsCache(db);
  const queueLive = mountQueueLive(app, { engine, key: queueKey, log, hsts: config.secureTransport });
  const holdPolicy = new HoldPolicy(dropSettings, db);
  mountQueue(router, { db, engine, key: queueKey, settings: dropSettings, publish: queueLive.publish, policy: holdPolicy });
  mountHolds(router, { engine, metrics, admission: new AdmissionGate(dropSettings, queueKey), policy: holdPolicy });
  mountAccountLinks(router, { db, tokens, config, ...(opts.jobs ? { jobs: opts.jobs } : {}), onVerified: (id) => holdPolicy.markVerified(id) });
  mountTickets(router, { config, db });
  mountOrderCalendar(router, { config, db });
  mountCheckinAdmin(router, { db, config, ...(opts.jobs ? { jobs: opts.jobs } : {}) });
  mountCheckin(router, { db });
  mountDevMail(router, { config, db });
  mountDevSms(router, { config, db });
  // Orders and payments enqueue jobs: mounted when the node has pg-boss (always in `npm start`).
  if (opts.jobs) mountOrders(router, { config, db, engine, jobs: opts.jobs, log });
  if (opts.jobs) mountPayments(router, { config, db, engine, jobs: opts.jobs, log });
  if (opts.jobs) mountManualRefunds(router, { db, jobs: opts.jobs });
  if (opts.jobs) mountEventCancel(router, { db, engine, jobs: opts.jobs, log });
  mountSales(router, { db });
  mountPromoCodes(router, { db, engine });
  const posters = opts.posters ?? openPosterStore(config.posterStore);
  mountPosters(router, { db, store: posters, log });
  mountOps(router, { config, db, engine, waiters: () => queueLive.waiters() });
  if (config.benchRoutes) mountBench(router);
  if (config.benchRoutes) mountQueueBench(router, { waiters: () => queueLive.waiters(), takePublishMsMax: () => queueLive.takePublishMsMax(), takeTickSources: () => queueLive.takeTickSources() });
  return { queueLive, posters };
}
