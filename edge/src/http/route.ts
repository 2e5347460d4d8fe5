/**
 * The one way a request reaches a handler. Every route goes through `route()`,
 * which keeps the uWebSockets.js rules in one place:
 *
 * 1. `req` lives on the stack of the uWS callback: everything the handler may
 *    need (method, url, query, parameters, headers) is copied out of it
 *    synchronously, before any await. It is never touched afterwards.
 * 2. `res.onAborted` is attached before the first await (body read, token
 *    verification, async handler). A response without it crashes the process
 *    when the client goes away mid-request.
 * 3. After an await, `aborted` is checked before writing: an aborted `res` must
 *    not be touched.
 * 4. Status, headers and body are written inside `res.cork()`, so they leave in
 *    one syscall, and a response written from a promise continuation is legal.
 *
 * Bodies are read with `res.onData` up to `bodyBytesMax` (then 413 and the
 * connection is closed, so the rest is never read), must be declared as
 * `application/json` (415), and must parse (400 `malformed_json`). A route
 * mounted with `{ body: 'raw' }` gets the bytes as received in `ctx.rawBody`
 * instead (any content type, not parsed): a signed webhook is verified on the
 * exact bytes its sender signed, and a poster is decoded from its bytes. Such
 * a route may allow a larger body (`bytesMax`, e.g. `posterBytesMax`). A
 * handler may answer a Buffer (an image), sent as it is, or a `Stream` (a
 * big CSV), written chunk by chunk as the client takes it (`streamOut`). An
 * `HttpError` becomes its status and the one JSON error shape; anything else
 * thrown is a bug: 500 `internal`, logged with the route.
 */
import { STATUS_CODES } from 'node:http';
import type uWS from 'uWebSockets.js';
import { bodyBytesMax } from '../../../engine/src/constants.ts';
import type { Claims, Tokens } from '../auth/tokens.ts';
import { HttpError, databaseUnreachable, errorBody, isDatabaseUnreachable } from './errors.ts';
import { pathParamProblem, refuseControlCharactersInQuery } from '../control_characters.ts';
import { securityHeaders } from './security_headers.ts';
import type { Logger as Log } from '../../../engine/src/log.ts';
import type { EdgeMetrics } from './metrics.ts';
import { createAddressResolver, isStorefrontProof, storefrontProofHeader, type AddressResolver } from './client_address.ts';

export type { Log };

/** What a handler answers. A string body is sent as text (`content-type` from `headers`, else text/plain), a Buffer as bytes (`content-type` from `headers`), a `Stream` chunk by chunk; anything else as JSON. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A body written as it is produced (`content-type` from the reply's headers, else text/plain), for answers too big to
 * build in memory. Its first chunk is awaited before the status is written, so a failure before it still answers the
 * one error shape; a failure after it closes the connection (the client sees a cut answer, never a complete-looking one).
 * Closed early (`return()`) when the client goes away.
 */
export class Stream {
  readonly chunks: AsyncIterable<string>;
  constructor(chunks: AsyncIterable<string>) {
    this.chunks = chunks;
  }
}
export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;
export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** The request headers a handler may read; '' when absent. */
export type RequestHeaders = {
  authorization: string;
  'idempotency-key': string;
  'content-type': string;
  'x-forwarded-for': string;
  /** This process's storefront proving itself (edge/src/http/client_address.ts). */
  'x-tickr-storefront': string;
  /** A queued drop's admission token (edge/src/queue/admission_gate.ts). */
  'admission-token': string;
  /** Read for `{ body: 'raw' }` routes only (webhooks): '' elsewhere. */
  'stripe-signature': string;
  /** Read for GET routes only (content negotiation, e.g. text/csv): '' elsewhere. */
  accept: string;
  /** Read for GET routes only (a cached poster revalidated by its ETag): '' elsewhere. */
  'if-none-match': string;
};

/** `wake`: set while a stream waits for the client to drain, so an abort ends the wait. */
type State = { aborted: boolean; done: boolean; wake?: () => void };

export class Ctx {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly headers: RequestHeaders;
  body: unknown = undefined;
  /** The body's bytes as received, for `{ body: 'raw' }` routes; null elsewhere. */
  rawBody: Buffer | null = null;
  /** Verified claims of the bearer token, or null (see `authProblem`). */
  auth: Claims | null = null;
  authProblem: 'missing' | 'invalid' = 'missing';
  readonly #rawQuery: string;
  #query: URLSearchParams | undefined;
  readonly #res: uWS.HttpResponse;
  readonly #state: State;
  readonly #resolveAddress: AddressResolver;
  #remote: string | undefined;
  #client: string | undefined;

  constructor(method: string, path: string, params: Record<string, string>, headers: RequestHeaders, rawQuery: string, res: uWS.HttpResponse, state: State,
    resolveAddress: AddressResolver) {
    this.method = method;
    this.#resolveAddress = resolveAddress;
    this.path = path;
    this.params = params;
    this.headers = headers;
    this.#rawQuery = rawQuery;
    this.#res = res;
    this.#state = state;
  }

  /** Parsed on first use: most routes never read it. A control character in it is a 400 (`control_characters`). */
  get query(): URLSearchParams {
    if (this.#query === undefined) {
      const query = new URLSearchParams(this.#rawQuery);
      refuseControlCharactersInQuery(query);
      this.#query = query;
    }
    return this.#query;
  }

  /** The peer's address (lazily; '' once the client is gone). */
  get remoteAddress(): string {
    if (this.#remote === undefined) {
      if (this.#state.aborted || this.#state.done) return '';
      this.#remote = Buffer.from(this.#res.getRemoteAddressAsText()).toString();
    }
    return this.#remote;
  }

  /**
   * The address to rate-limit by: the peer, or the rightmost X-Forwarded-For
   * hop that is not a trusted proxy (TICKR_TRUST_PROXY, and this process's
   * own storefront by its proof); see edge/src/http/client_address.ts.
   */
  get clientAddress(): string {
    if (this.#client === undefined) {
      const remote = this.remoteAddress;
      if (remote === '') return '';
      const viaStorefront = this.headers['x-tickr-storefront'] !== '' && isStorefrontProof(this.headers['x-tickr-storefront']);
      this.#client = this.#resolveAddress(remote, this.headers['x-forwarded-for'], viaStorefront);
    }
    return this.#client;
  }
}

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) statusLines.set(status, (line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`));
  return line;
}

export type RouterDeps = {
  tokens: Tokens; log: Log; metrics: EdgeMetrics; /** Default: trust no proxy. */ resolveAddress?: AddressResolver; hsts?: boolean;
  /**
   * Whether a route has its description in the route table (edge/src/api/table.ts `isDescribed`): `route()` refuses
   * to mount one that has none, so the OpenAPI document covers every route. Only a test's own router passes `() => true`.
   */
  described: (method: Method, pattern: string) => boolean;
};

/**
 * A route as mounted: what the authorization matrix (edge/src/authorization.test.ts)
 * enumerates, so a route mounted without a row in its table fails that test.
 * Who may call a route is decided in its handler, so the table says it.
 */
export type MountedRoute = { method: Method; pattern: string; body: 'none' | 'json' | 'raw' };
/** `body: true` reads and parses a JSON body first, `body: 'raw'` reads its bytes unparsed; `bytesMax` (raw only) raises the body limit from `bodyBytesMax`. */
export type RouteOptions = { body?: boolean | 'raw'; bytesMax?: number };

export type Router = {
  /** Mounts `handler`, reading its body first as `opts` say. */
  route(method: Method, pattern: string, handler: Handler, opts?: RouteOptions): void;
  /** After every route: 405 for other methods on known paths, 404 for the rest. */
  finish(): void;
};

/** The router `createRouter` makes: a Router that also lists what it mounted (mount functions need only `Router`). */
export type ListingRouter = Router & {
  /** Every route mounted so far, in mounting order. */
  mounted(): readonly MountedRoute[];
};

/**
 * The steps of one request, from uWS's callback to the written answer (the
 * rules at the top of this file). One per router; its methods take the
 * request's (res, state, label) rather than closing over them, so a request
 * allocates no functions of its own before its body.
 */
class Pipeline {
  private readonly tokens: Tokens;
  private readonly log: Log;
  private readonly metrics: EdgeMetrics;
  private readonly resolveAddress: AddressResolver;
  private readonly security: readonly (readonly [string, string])[];
  /** The security headers as raw lines, each led by CRLF, and the JSON answer's whole head after `content-type: `. */
  private readonly securityLines: string;
  private readonly jsonHead: string;

  constructor(private readonly app: uWS.TemplatedApp, deps: RouterDeps) {
    this.tokens = deps.tokens;
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.resolveAddress = deps.resolveAddress ?? createAddressResolver({ hops: 0 });
    this.security = securityHeaders({ hsts: deps.hsts === true });
    this.securityLines = this.security.map(([key, value]) => `\r\n${key}: ${value}`).join('');
    this.jsonHead = `application/json${this.securityLines}`;
  }

  write(res: uWS.HttpResponse, state: State, label: string, reply: Reply, closeConnection = false): void {
    if (state.aborted || state.done) return;
    if (reply.body instanceof Stream) {
      void this.streamOut(res, state, label, reply, reply.body.chunks[Symbol.asyncIterator]());
      return;
    }
    let payload: string | Buffer;
    let contentType: string;
    if (Buffer.isBuffer(reply.body)) {
      payload = reply.body;
      contentType = reply.headers?.['content-type'] ?? 'application/octet-stream';
    } else if (typeof reply.body === 'string') {
      payload = reply.body;
      contentType = reply.headers?.['content-type'] ?? 'text/plain; charset=utf-8';
    } else {
      try {
        payload = JSON.stringify(reply.body);
      } catch (error) {
        this.log('error', `${label}: reply is not serialisable: ${String(error)}`);
        reply = { status: 500, body: undefined };
        payload = JSON.stringify(errorBody('internal', 'Something went wrong on our side; it has been logged.'));
      }
      contentType = 'application/json';
    }
    state.done = true;
    this.metrics.request(label, reply.status);
    const headers = reply.headers;
    res.cork(() => {
      this.writeHead(res, reply.status, contentType, headers);
      res.end(payload, closeConnection);
    });
  }

  writeHead(res: uWS.HttpResponse, status: number, contentType: string, headers: Record<string, string> | undefined): void {
    res.writeStatus(statusLine(status));
    if (headers === undefined) {
      // uWS writes `key: value\r\n` as given, so the constant security lines ride in the content-type's value: one call into uWS, not four.
      res.writeHeader('content-type', contentType === 'application/json' ? this.jsonHead : contentType + this.securityLines);
      return;
    }
    res.writeHeader('content-type', contentType);
    // A reply's own header of the same name replaces the default (the docs page sets its own content-security-policy).
    const security = this.security;
    for (let i = 0; i < security.length; i++) if (headers[security[i]![0]] === undefined) res.writeHeader(security[i]![0], security[i]![1]);
    for (const key in headers) if (key !== 'content-type') res.writeHeader(key, headers[key]!);
  }

  /**
   * A `Stream` reply: the first chunk before the head (a failure there is an ordinary error answer), then each chunk
   * inside `cork()`. When uWS buffers a chunk (`write` answers false: the client reads slower than we produce), the
   * next is pulled only once `onWritable` says the buffer drained, so a slow client holds at most one chunk in memory.
   */
  async streamOut(res: uWS.HttpResponse, state: State, label: string, reply: Reply, chunks: AsyncIterator<string>): Promise<void> {
    let next: IteratorResult<string>;
    try {
      next = await chunks.next();
    } catch (error) {
      return this.fail(res, state, label, error);
    }
    if (state.aborted || state.done) return void (await chunks.return?.());
    state.done = true;
    this.metrics.request(label, reply.status);
    res.cork(() => this.writeHead(res, reply.status, reply.headers?.['content-type'] ?? 'text/plain; charset=utf-8', reply.headers));
    // Registered once: uWS keeps the first onWritable handler of a response (a second registration does not replace it),
    // so the handler wakes whichever wait is current.
    res.onWritable(() => {
      state.wake?.();
      return true;
    });
    while (next.done !== true) {
      let drained = true;
      const chunk = next.value;
      res.cork(() => { drained = res.write(chunk); });
      if (!drained) {
        await new Promise<void>((resolve) => { state.wake = resolve; });
        state.wake = undefined;
      }
      if (state.aborted) return void (await chunks.return?.());
      try {
        next = await chunks.next();
      } catch (error) {
        this.log('error', `${label} failed while streaming: ${error instanceof Error ? error.stack : String(error)}`);
        if (!state.aborted) res.close();
        return;
      }
      if (state.aborted) return void (await chunks.return?.());
    }
    res.cork(() => res.end());
  }

  fail(res: uWS.HttpResponse, state: State, label: string, error: unknown, closeConnection = false): void {
    if (error instanceof HttpError) {
      this.write(res, state, label, { status: error.status, body: errorBody(error.code, error.message, error.extra), headers: error.headers }, closeConnection);
      return;
    }
    if (isDatabaseUnreachable(error)) {
      // Not a bug: the request may succeed in a moment (a partition, a restart). 503 with Retry-After, logged without a stack.
      this.log('warn', `${label}: database unreachable: ${error instanceof Error ? error.message : String(error)}`);
      const refusal = databaseUnreachable();
      this.write(res, state, label, { status: refusal.status, body: errorBody(refusal.code, refusal.message), headers: refusal.headers }, closeConnection);
      return;
    }
    this.log('error', `${label} failed: ${error instanceof Error ? error.stack : String(error)}`);
    this.write(res, state, label, { status: 500, body: errorBody('internal', 'Something went wrong on our side; it has been logged.') });
  }

  run(res: uWS.HttpResponse, state: State, label: string, handler: Handler, ctx: Ctx): void {
    let reply: Reply | Promise<Reply>;
    try {
      reply = handler(ctx);
    } catch (error) {
      this.fail(res, state, label, error);
      return;
    }
    if (reply instanceof Promise) reply.then((r) => this.write(res, state, label, r), (e: unknown) => this.fail(res, state, label, e));
    else this.write(res, state, label, reply);
  }

  /** Resolves the bearer token (synchronously when cached), then runs the handler. */
  authenticateThenRun(res: uWS.HttpResponse, state: State, label: string, handler: Handler, ctx: Ctx): void {
    const header = ctx.headers.authorization;
    if (header === '') return this.run(res, state, label, handler, ctx);
    if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') {
      ctx.authProblem = 'invalid';
      return this.run(res, state, label, handler, ctx);
    }
    const token = header.slice(7).trim();
    const hit = this.tokens.cached(token);
    if (hit !== undefined) {
      ctx.auth = hit;
      return this.run(res, state, label, handler, ctx);
    }
    this.tokens.verify(token).then((claims) => {
      if (state.aborted) return;
      ctx.auth = claims;
      if (claims === null) ctx.authProblem = 'invalid';
      this.run(res, state, label, handler, ctx);
    }, (e: unknown) => this.fail(res, state, label, e));
  }

  // Helpers taking (res, state, label) rather than per-request closures: a
  // JSON request would otherwise allocate two more functions before its body.
  tooLarge(res: uWS.HttpResponse, state: State, label: string, bytesMax = bodyBytesMax): void {
    const limit = bytesMax >= 1024 * 1024 && bytesMax % (1024 * 1024) === 0 ? `${bytesMax / (1024 * 1024)} MB (${bytesMax} bytes)` : `${bytesMax} bytes`;
    this.fail(res, state, label, new HttpError(413, 'body_too_large', `The request body is larger than ${limit}; send less.`), true);
  }

  /** Reads the whole body (up to `bytesMax`), then hands over its bytes. */
  readRaw(res: uWS.HttpResponse, state: State, label: string, contentLength: string, bytesMax: number, then: (bytes: Buffer) => void): void {
    const declared = contentLength === '' ? -1 : Number(contentLength);
    if (declared > bytesMax) return this.tooLarge(res, state, label, bytesMax);
    if (declared === 0) return then(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (state.done || state.aborted) return;
      size += chunk.byteLength;
      if (size > bytesMax) return this.tooLarge(res, state, label, bytesMax);
      // The chunk is only valid during this callback: copy it now.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) then(Buffer.concat(chunks, size));
    });
  }

  parseJson(res: uWS.HttpResponse, state: State, label: string, text: string, then: (body: unknown) => void): void {
    if (text.trim() === '') return this.fail(res, state, label, new HttpError(400, 'malformed_json', 'The request body is empty; send a JSON object.'));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return this.fail(res, state, label, new HttpError(400, 'malformed_json', `The request body is not valid JSON: ${(error as Error).message}.`));
    }
    then(body);
  }

  readJson(res: uWS.HttpResponse, state: State, label: string, contentLength: string, then: (body: unknown) => void): void {
    const declared = contentLength === '' ? -1 : Number(contentLength);
    if (declared > bodyBytesMax) return this.tooLarge(res, state, label);
    // A request that declares no body has no data to wait for.
    if (declared === 0) return this.parseJson(res, state, label, '', then);
    let chunks: Buffer[] | null = null;
    let size = 0;
    res.onData((chunk, isLast) => {
      if (state.done || state.aborted) return;
      size += chunk.byteLength;
      if (size > bodyBytesMax) return this.tooLarge(res, state, label);
      // The chunk is only valid during this callback: decode or copy it now.
      if (isLast && chunks === null) return this.parseJson(res, state, label, Buffer.from(chunk).toString('utf8'), then);
      (chunks ??= []).push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) this.parseJson(res, state, label, Buffer.concat(chunks, size).toString('utf8'), then);
    });
  }

  mount(method: Method | 'any', pattern: string, label: string, handler: Handler, withBody: boolean | 'raw', bytesMax = bodyBytesMax): void {
    const names = pattern.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
    const upper = method.toUpperCase();
    const register = method === 'delete' ? this.app.del.bind(this.app) : this.app[method].bind(this.app);
    register(pattern, (res, req) => {
      // Rule 1: copy everything out of `req` now.
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = req.getParameter(i) ?? '';
      const headers: RequestHeaders = {
        authorization: req.getHeader('authorization'),
        'idempotency-key': req.getHeader('idempotency-key'),
        'content-type': req.getHeader('content-type'),
        'x-forwarded-for': req.getHeader('x-forwarded-for'),
        'x-tickr-storefront': req.getHeader(storefrontProofHeader),
        'admission-token': req.getHeader('admission-token'),
        'stripe-signature': withBody === 'raw' ? req.getHeader('stripe-signature') : '',
        accept: method === 'get' ? req.getHeader('accept') : '',
        'if-none-match': method === 'get' ? req.getHeader('if-none-match') : '',
      };
      const contentLength = withBody ? req.getHeader('content-length') : '';
      const transferEncoding = withBody ? req.getHeader('transfer-encoding') : '';
      const state: State = { aborted: false, done: false };
      const ctx = new Ctx(method === 'any' ? req.getMethod().toUpperCase() : upper, req.getUrl(), params, headers, req.getQuery() ?? '', res, state, this.resolveAddress);
      // Rule 2: onAborted before anything asynchronous.
      res.onAborted(() => {
        state.aborted = true;
        state.wake?.();
      });
      const paramProblem = names.length === 0 ? null : pathParamProblem(params);
      if (paramProblem !== null) return this.fail(res, state, label, paramProblem);
      if (!withBody) return this.authenticateThenRun(res, state, label, handler, ctx);
      if (withBody === 'raw') {
        return this.readRaw(res, state, label, contentLength === '' && transferEncoding === '' ? '0' : contentLength, bytesMax, (bytes) => {
          ctx.rawBody = bytes;
          this.authenticateThenRun(res, state, label, handler, ctx);
        });
      }
      if (!/^application\/json\s*(;|$)/i.test(headers['content-type'])) {
        return this.fail(res, state, label, new HttpError(415, 'unsupported_media_type', 'Send the body as JSON with the header "Content-Type: application/json".'));
      }
      this.readJson(res, state, label, contentLength === '' && transferEncoding === '' ? '0' : contentLength, (body) => {
        ctx.body = body;
        this.authenticateThenRun(res, state, label, handler, ctx);
      });
    });
  }
}

export function createRouter(app: uWS.TemplatedApp, deps: RouterDeps): ListingRouter {
  const pipeline = new Pipeline(app, deps);
  const methodsOf = new Map<string, string[]>();
  const routes: MountedRoute[] = [];

  return {
    route(method, pattern, handler, opts) {
      if (!deps.described(method, pattern)) {
        throw new Error(`${method.toUpperCase()} ${pattern} has no description: add an entry for it to the route table (edge/src/api/routes/<area>.ts; see the README, "Describing a route")`);
      }
      const methods = methodsOf.get(pattern) ?? [];
      methods.push(method.toUpperCase());
      methodsOf.set(pattern, methods);
      routes.push({ method, pattern, body: opts?.body === 'raw' ? 'raw' : opts?.body === true ? 'json' : 'none' });
      pipeline.mount(method, pattern, `${method.toUpperCase()} ${pattern}`, handler, opts?.body === 'raw' ? 'raw' : opts?.body === true, opts?.body === 'raw' ? opts.bytesMax : undefined);
    },
    finish() {
      for (const [pattern, methods] of methodsOf) {
        const allow = methods.join(', ');
        pipeline.mount('any', pattern, 'unmatched', () => {
          throw new HttpError(405, 'method_not_allowed', `This path answers ${allow}.`, undefined, { allow });
        }, false);
      }
      pipeline.mount('any', '/*', 'unmatched', (ctx) => {
        throw new HttpError(404, 'not_found', `There is no ${ctx.method} ${ctx.path}; see the API documentation for the routes.`);
      }, false);
    },
    mounted: () => routes,
  };
}
