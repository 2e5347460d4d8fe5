import WebSocket from 'ws';

/**
 * V8's CPU profiler in a node started with `--inspect=host:port`, driven over
 * the inspector protocol, so that a profile covers the measured run alone (not
 * the start-up, the module loading or the warm-up). Worker threads are reached
 * through the NodeWorker domain: the main session relays each command to a
 * worker's session and its answers back.
 */

export type CpuProfile = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };

type Waiting = { resolve: (result: unknown) => void; reject: (error: Error) => void };
type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string } };

/** Sampling period of the profiler: fine enough for a 10 s run, cheap enough not to change it. */
const samplingIntervalUs = 500;
/** Workers already running are announced right after NodeWorker.enable; this is long enough to hear them all. */
const attachWaitMs = 300;

export class NodeProfiler {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Worker sessions by id, with their titles (the Worker's `name`). */
  private readonly workers = new Map<string, string>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(JSON.parse(String(data)) as Message, null));
  }

  /** Connects to the node's inspector at `port` (its first target, the main thread) and finds its workers. */
  static async connect(port: number): Promise<NodeProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const profiler = new NodeProfiler(ws);
    await profiler.call(null, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
    await new Promise((resolve) => setTimeout(resolve, attachWaitMs));
    for (const session of [null, ...profiler.workers.keys()]) {
      await profiler.call(session, 'Profiler.enable');
      await profiler.call(session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    }
    return profiler;
  }

  /** Starts sampling on every thread. */
  async start(): Promise<void> {
    await Promise.all([null, ...this.workers.keys()].map((session) => this.call(session, 'Profiler.start')));
  }

  /** Stops sampling; one profile per thread, the main thread's first. */
  async stop(): Promise<{ thread: string; profile: CpuProfile }[]> {
    const sessions = [null, ...this.workers.keys()];
    const results = await Promise.all(sessions.map((session) => this.call(session, 'Profiler.stop')));
    return results.map((result, i) => ({
      thread: sessions[i] === null ? 'main thread' : this.workers.get(sessions[i]!)!,
      profile: (result as { profile: CpuProfile }).profile,
    }));
  }

  close(): void {
    this.ws.close();
  }

  private call(session: string | null, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (session === null) this.ws.send(message);
      else this.ws.send(JSON.stringify({ id: this.nextId++, method: 'NodeWorker.sendMessageToWorker', params: { sessionId: session, message } }));
    });
  }

  private onMessage(message: Message, session: string | null): void {
    if (message.method === 'NodeWorker.attachedToWorker') {
      const params = message.params as { sessionId: string; workerInfo: { title: string } };
      this.workers.set(params.sessionId, params.workerInfo.title);
      return;
    }
    if (message.method === 'NodeWorker.receivedMessageFromWorker') {
      const params = message.params as { sessionId: string; message: string };
      return this.onMessage(JSON.parse(params.message) as Message, params.sessionId);
    }
    if (message.id === undefined) return;
    const waiting = this.waiting.get(message.id);
    if (waiting === undefined) return; // the relay's own acknowledgement
    this.waiting.delete(message.id);
    if (message.error) waiting.reject(new Error(`${session ?? 'main'}: ${message.error.message}`));
    else waiting.resolve(message.result);
  }
}
