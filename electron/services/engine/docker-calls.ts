import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import { dockerStatus, toEngineError } from './engine-errors';
import type { SshLink } from './ssh/ssh-link';
import type { Tunnels } from './tunnels';

/** How long Docker may take to answer a request that is not a stream. */
export const DOCKER_DEADLINE_MS = 30_000;

/** One way of reaching an engine: its API, and how its published ports are reached from here. */
export interface Connection {
  docker: Docker;
  link: SshLink | null;
  /** How the panel reaches session ports on another machine; null: they are published on this one. */
  tunnels: Tunnels | null;
  /** The host address containers publish their ports on. */
  publishHost: string;
}

export function closeConnection(connection: Connection): void {
  connection.tunnels?.closeAll();
  connection.link?.close();
}

/** Status → result for answers that are results, not failures (404 for "already gone"). */
export type Expected<T> = Partial<Record<number, () => T>>;

/**
 * The one place every Docker request goes through, on the connection the engine uses now (which
 * Settings may switch). Shared by the engine's parts, so a switch reaches all of them at once.
 */
export class DockerCalls {
  /** How long an ordinary request may take (DOCKER_DEADLINE_MS unless a test says otherwise). */
  deadlineMs = DOCKER_DEADLINE_MS;

  constructor(public connection: Connection) {}

  get docker(): Docker {
    return this.connection.docker;
  }

  /**
   * A request that is not a stream: it gets a deadline (a hung engine must not keep a sign-out
   * waiting for ever), the answers in `expected` are taken as results, and anything else becomes
   * an AppError that says what the panel was doing.
   */
  async call<T>(what: string, work: (signal: AbortSignal) => Promise<T>, expected: Expected<T> = {}, deadlineMs = this.deadlineMs): Promise<T> {
    const hungFor = () => new AppError('DOCKER_TIMEOUT', `Docker did not answer within ${Math.round(deadlineMs / 1000)} s when asked to ${what}`);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    const hung = new Promise<never>((_resolve, reject) => {
      deadline.signal.addEventListener('abort', () => reject(hungFor()), { once: true });
    });
    try {
      // The race ends the wait even where a request cannot be aborted.
      return await Promise.race([work(deadline.signal), hung]);
    } catch (error) {
      if (deadline.signal.aborted) throw hungFor();
      const status = dockerStatus(error);
      const answer = status === undefined ? undefined : expected[status];
      if (answer) return answer();
      throw toEngineError(error, what);
    } finally {
      clearTimeout(timer);
      hung.catch(() => {});
    }
  }

  /** A stream's opening request (events, a build, an upload): its failure mapped the same way, with no deadline on what follows. */
  async open<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toEngineError(error, what);
    }
  }
}

export function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/** A container id as people read it in messages. */
export const short = (id: string) => id.slice(0, 12);
