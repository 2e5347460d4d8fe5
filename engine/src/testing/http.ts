export type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Called with every answer (edge/src/api/recorder.ts checks it against the API's description); it may throw to fail the call. */
export type OnAnswer = (method: string, path: string, status: number, body: unknown, contentType: string) => void;

export type CallOptions = { token?: string; body?: unknown; headers?: Record<string, string> };

/** One call to Tickr's HTTP API that answers with the status and the parsed body (any status: the caller judges it). */
export type Call = (method: string, path: string, opts?: CallOptions) => Promise<Answer>;

/** Where a kit helper sends its calls: a node's base URL, or a test's own `Call` (a checked client, a cluster's retrying one). */
export type Via = string | Call;

/** Plain fetch to `baseUrl()`: JSON in, JSON out (plain text answers, such as metrics, stay strings). */
export function httpCall(baseUrl: () => string, onAnswer?: OnAnswer): Call {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl()}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Plain text answers (metrics, hello) stay strings.
    }
    onAnswer?.(method, path, response.status, body, response.headers.get('content-type') ?? '');
    return { status: response.status, body };
  };
}

export function callVia(via: Via): Call {
  return typeof via === 'string' ? httpCall(() => via) : via;
}

/** The answer when its status is one of `statuses`; otherwise throws with what the node said. */
export function expectStatus(answer: Answer, what: string, ...statuses: number[]): Answer {
  if (!statuses.includes(answer.status)) throw new Error(`${what} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}
