import type { Engine } from './engine.ts';
import type { Command, Outcome, Refusal } from './inventory/types.ts';

/**
 * The answer each command gets when it succeeds. One table, so a caller
 * never checks an answer's kind again: `EngineVerbs` checks it here, once,
 * and an answer of another kind is a bug (thrown, never a refusal). The type
 * is read from the table: a command left out of it, or an answer that is no
 * Outcome's kind, fails the type check.
 */
export const answerKinds = {
  placeHold: 'held',
  placeBasket: 'basketHeld',
  releaseHold: 'released',
  releaseAllHolds: 'releasedAll',
  confirmHold: 'confirmed',
  changeCapacity: 'capacityChanged',
  expireHolds: 'expired',
  getHold: 'hold',
  snapshot: 'snapshot',
  reconfigure: 'reconfigured',
  refundTickets: 'refunded',
  queue: 'queue',
} as const satisfies Record<Command['kind'], Exclude<Outcome, Refusal>['kind']>;
type AnswerKinds = typeof answerKinds;

type KindOf<C extends Command> = C['kind'];
/** What a command answers when it succeeds. */
export type AnswerOf<K extends keyof AnswerKinds> = Extract<Outcome, { kind: AnswerKinds[K] }>;
export type CommandOf<K extends Command['kind']> = Extract<Command, { kind: K }>;
/** A command without its `kind`: the verb names it. */
type Args<K extends Command['kind']> = Omit<CommandOf<K>, 'kind'>;

/** An answer of the wrong kind: the engine and its caller disagree about the protocol, a bug. */
export class UnexpectedAnswer extends Error {
  override name = 'UnexpectedAnswer';
  constructor(command: Command['kind'], answer: string) {
    super(`engine answered ${answer} to ${command}, expected ${answerKinds[command]}`);
  }
}

/** Sends `cmd` and gives its typed answer, or the refusal; throws UnexpectedAnswer for an answer of another kind. */
export async function ask<C extends Command>(engine: Pick<Engine, 'send'>, cmd: C): Promise<AnswerOf<KindOf<C>> | Refusal> {
  const outcome = await engine.send(cmd);
  if (!outcome.ok) return outcome;
  if (outcome.kind !== answerKinds[cmd.kind]) throw new UnexpectedAnswer(cmd.kind, outcome.kind);
  return outcome as AnswerOf<KindOf<C>>;
}

/**
 * Typed verbs over any Engine (this node's workers, the cluster, a remote
 * engine for the job process, a test double): each resolves with its own
 * answer or a Refusal, the expected "no" (sold out, limit, shard unavailable...).
 */
export class EngineVerbs {
  constructor(private readonly engine: Pick<Engine, 'send'>) {}

  placeHold(args: Args<'placeHold'>): Promise<AnswerOf<'placeHold'> | Refusal> {
    return ask(this.engine, { kind: 'placeHold', ...args });
  }

  placeBasket(args: Args<'placeBasket'>): Promise<AnswerOf<'placeBasket'> | Refusal> {
    return ask(this.engine, { kind: 'placeBasket', ...args });
  }

  releaseHold(args: Args<'releaseHold'>): Promise<AnswerOf<'releaseHold'> | Refusal> {
    return ask(this.engine, { kind: 'releaseHold', ...args });
  }

  releaseAllHolds(args: Args<'releaseAllHolds'>): Promise<AnswerOf<'releaseAllHolds'> | Refusal> {
    return ask(this.engine, { kind: 'releaseAllHolds', ...args });
  }

  confirmHold(args: Args<'confirmHold'>): Promise<AnswerOf<'confirmHold'> | Refusal> {
    return ask(this.engine, { kind: 'confirmHold', ...args });
  }

  changeCapacity(args: Args<'changeCapacity'>): Promise<AnswerOf<'changeCapacity'> | Refusal> {
    return ask(this.engine, { kind: 'changeCapacity', ...args });
  }

  getHold(args: Args<'getHold'>): Promise<AnswerOf<'getHold'> | Refusal> {
    return ask(this.engine, { kind: 'getHold', ...args });
  }

  snapshot(args: Args<'snapshot'>): Promise<AnswerOf<'snapshot'> | Refusal> {
    return ask(this.engine, { kind: 'snapshot', ...args });
  }

  reconfigure(args: Args<'reconfigure'>): Promise<AnswerOf<'reconfigure'> | Refusal> {
    return ask(this.engine, { kind: 'reconfigure', ...args });
  }

  refundTickets(args: Args<'refundTickets'>): Promise<AnswerOf<'refundTickets'> | Refusal> {
    return ask(this.engine, { kind: 'refundTickets', ...args });
  }

  queue(args: Args<'queue'>): Promise<AnswerOf<'queue'> | Refusal> {
    return ask(this.engine, { kind: 'queue', ...args });
  }
}
