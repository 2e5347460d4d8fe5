import uWS from 'uWebSockets.js';
import type { Config } from '../../engine/src/config.ts';
import { tokenTtlSeconds } from '../../engine/src/constants.ts';
import type { Db } from '../../engine/src/db/pool.ts';
import type { Engine } from '../../engine/src/engine.ts';
import type { Logger } from '../../engine/src/log.ts';
import { createTokens, type Tokens } from './auth/tokens.ts';
import { EdgeMetrics } from './http/metrics.ts';
import { createRouter } from './http/route.ts';
import { mountAuth } from './routes/auth.ts';
import { mountBench } from './routes/bench.ts';
import { mountEvents } from './routes/events.ts';
import { mountHealth } from './routes/health.ts';
import { mountHolds } from './routes/holds.ts';

/** The native build has HTTP/3; the JS fallback (a slow stand-in) does not. */
export function uwsIsNative(): boolean {
  return typeof (uWS as unknown as { H3App?: unknown }).H3App === 'function';
}

export type Server = {
  app: uWS.TemplatedApp;
  tokens: Tokens;
  metrics: EdgeMetrics;
  /** Listens on config.host:config.port; resolves with the real port (port 0 picks one). */
  listen(): Promise<number>;
  close(): void;
};

export function createServer(opts: { config: Config; db: Db; engine: Engine; log: Logger }): Server {
  const { config, db, engine, log } = opts;
  const app = uWS.App();
  const tokens = createTokens(config.tokenSecret, tokenTtlSeconds);
  const metrics = new EdgeMetrics();
  const router = createRouter(app, { tokens, log, metrics });

  mountHealth(router, { db, engine, metrics });
  mountAuth(router, { db, tokens });
  mountEvents(router, { config, db, engine, metrics });
  mountHolds(router, { engine, metrics });
  if (config.benchRoutes) mountBench(router);
  router.finish();

  let listenSocket: uWS.us_listen_socket | null = null;
  return {
    app,
    tokens,
    metrics,
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
      if (listenSocket !== null) uWS.us_listen_socket_close(listenSocket);
      listenSocket = null;
      (app as unknown as { close?: () => void }).close?.();
    },
  };
}
