import { METHOD_ROLES, methods, type EventName, type Events, type Method, type Reply, type Result } from '../../../shared/api';
import type { User } from '../../../shared/accounts';
import type { AssetProgress } from '../../../shared/assets';
import { AppError, type ErrorData } from '../../../shared/errors';
import type { SessionView, StartProgress, StopReason } from '../../../shared/sessions';
import { SIGN_IN_END_MESSAGES, type SignInEndReason } from '../../../shared/sign-ins';
import { describeIssues } from '../../../shared/validation';
import { assertRole, createHandlers, type CallContext, type Handlers, type ServiceDeps } from './handlers';

type Send = <E extends EventName>(event: E, payload: Events[E]) => void;

/** How often sign-ins are checked for idleness and age. */
const SWEEP_MS = 5_000;

/** One renderer's link to main (a window, or a browser tab in headless mode). It holds the sign-in token; the renderer never does. */
export class ApiConnection {
  token: string | null = null;

  constructor(
    private readonly server: ApiServer,
    readonly send: Send,
  ) {}

  /** Validates, resolves the caller for the method's declared role, dispatches, and turns every failure into `{code, message}`. */
  async call(method: unknown, input: unknown): Promise<Reply<Method>> {
    try {
      if (typeof method !== 'string' || !Object.hasOwn(methods, method)) {
        throw new AppError('INVALID_INPUT', `Unknown method ${JSON.stringify(method)?.slice(0, 80)}`);
      }
      const m = method as Method;
      return { ok: true, value: (await this.server.dispatch(this, m, checkedInput(m, input))) as Result<Method> };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }

  /** The window or tab went away: the sign-in it held ends with it. */
  close(): void {
    this.server.disconnect(this);
  }
}

/** The input as the method's schema leaves it, or INVALID_INPUT naming each field that is wrong. */
function checkedInput(method: Method, input: unknown): unknown {
  const parsed = methods[method].input.safeParse(input ?? {});
  if (!parsed.success) throw new AppError('INVALID_INPUT', `${method}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const endedMeanwhile = () => new AppError('NOT_SIGNED_IN', 'Your sign-in ended before this finished. Sign in again.');

export function toErrorData(error: unknown): ErrorData {
  if (error instanceof AppError) return error.toData();
  // Unexpected failures are logged in main; the renderer gets no internals.
  console.error('[api] unexpected error', error);
  return { code: 'INTERNAL', message: 'Something went wrong in the panel. The details are in its log.' };
}

/** The panel's API for any transport: Electron IPC and the headless WebSocket both use it. */
export class ApiServer {
  private readonly connections = new Set<ApiConnection>();
  private readonly handlers: Handlers;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly deps: ServiceDeps,
    options: { sweepMs?: number } = {},
  ) {
    const { accounts, sessions } = deps;
    this.handlers = createHandlers(deps);
    this.unsubscribe = [
      accounts.signIns.over.on(({ token, userId }) => {
        void deps.clipboard?.forget(token);
        // Transfers asked for in a window go with the person's last sign-in.
        if (!accounts.signIns.holds(userId)) deps.files.forget(userId);
      }),
      sessions.changed.on((view) => this.broadcast(view)),
      accounts.revoked.on(({ user, reason }) => {
        // Re-enabling an account does not bring back the tokens made before it was disabled.
        deps.mcpTokens.revokeAllOf(user.id);
        void sessions.stop(user.id, reason === 'disabled' ? 'account-disabled' : 'account-deleted').catch(() => {});
      }),
      sessions.stopped.on(({ userId, why }) => this.afterStop(userId, why)),
      accounts.signIns.ended.on(({ token, reason }) => {
        for (const c of this.connections) {
          if (c.token !== token) continue;
          c.token = null;
          c.send('signIn.ended', { reason, message: SIGN_IN_END_MESSAGES[reason] });
        }
      }),
      accounts.signIns.expiring.on(({ token, at }) => {
        for (const c of this.connections) if (c.token === token) c.send('signIn.expiring', { at: at.toISOString() });
      }),
    ];
    this.sweeper = setInterval(() => accounts.signIns.sweep(), options.sweepMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  connect(send: Send): ApiConnection {
    const connection = new ApiConnection(this, send);
    this.connections.add(connection);
    return connection;
  }

  /** The window or tab is gone; its sign-in ends with it, and so does a start made for it. */
  disconnect(connection: ApiConnection): void {
    this.connections.delete(connection);
    if (connection.token) this.deps.accounts.signOut(connection.token);
    connection.token = null;
  }

  /** Ends every sign-in held here (the screen locked, the computer went to sleep). */
  endAllSignIns(reason: SignInEndReason): void {
    this.deps.accounts.signIns.endAll(reason);
  }

  /**
   * Resolves the caller once, from the role the contract declares for the method, and runs its
   * handler. A reply computed for a sign-in that ended meanwhile is not given: it belongs to a
   * person who may no longer be at the seat.
   */
  async dispatch<M extends Method>(c: ApiConnection, method: M, input: unknown): Promise<unknown> {
    let caller: User | null = null;
    const token = c.token;
    if (METHOD_ROLES[method] !== 'anyone') {
      if (!token) throw new AppError('NOT_SIGNED_IN', 'You are not signed in');
      try {
        caller = this.deps.accounts.authenticate(token);
      } catch (error) {
        c.token = null;
        throw error;
      }
    }
    const ended = () => caller !== null && method !== 'auth.signOut' && (c.token !== token || !this.deps.accounts.signIns.isLive(token, caller.id));
    try {
      const result = await this.run(method, input, caller, c, (p) => c.send('session.progress', p), (p) => c.send('assets.progress', p));
      if (ended()) throw endedMeanwhile();
      return result;
    } catch (error) {
      throw ended() ? endedMeanwhile() : error;
    }
  }

  /**
   * A call made for a person identified some other way (an AI client's token): the same
   * validation, the same rights from the method's role, the same handler as a window's call.
   */
  async callFor<M extends Method>(caller: User, method: M, input: unknown, progress: (p: StartProgress) => void = () => {}): Promise<Reply<M>> {
    try {
      return { ok: true, value: (await this.run(method, checkedInput(method, input), caller, { token: null }, progress)) as Result<M> };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }

  /** Sends an event to every window or tab where `userId` is signed in. */
  sendTo<E extends EventName>(userId: string, event: E, payload: Events[E]): void {
    for (const c of this.connections) if (this.userOf(c)?.id === userId) c.send(event, payload);
  }

  private run<M extends Method>(
    method: M,
    input: unknown,
    caller: User | null,
    signIn: { token: string | null },
    progress: (p: StartProgress) => void,
    assetProgress: (p: AssetProgress) => void = () => {},
  ): unknown {
    const role = METHOD_ROLES[method];
    if (role !== 'anyone') {
      if (!caller) throw new AppError('NOT_SIGNED_IN', 'You are not signed in');
      assertRole(role, caller);
    }
    const context = { caller: role === 'anyone' ? null : caller, signIn, progress, assetProgress } as unknown as CallContext<M>;
    return (this.handlers[method] as (input: unknown, context: CallContext<M>) => unknown)(input, context);
  }

  dispose(): void {
    clearInterval(this.sweeper);
    for (const off of this.unsubscribe) off();
  }

  private afterStop(userId: string, why: StopReason): void {
    const { accounts, sessions } = this.deps;
    // A Blender stopped for idleness means nobody is at that person's panel: end their sign-ins too.
    if (why === 'idle') accounts.signIns.endAllFor(userId, 'blender-idle');
    // Someone still signed in when the engine comes back gets their Blender back by itself.
    const user = why === 'engine' && accounts.signIns.holds(userId) ? accounts.getUser(userId) : null;
    if (user && !user.disabled) {
      void sessions
        .start(user, (p) => this.sendTo(userId, 'session.progress', p), { because: 'Docker restarted, so your Blender was started again with your work.' })
        .catch((error) => console.error(`[api] restarting ${user.username}'s Blender after the engine came back failed: ${(error as Error).message}`));
    }
  }

  /** Session changes go to their owner (with the address of their Blender) and to administrators (without). */
  private broadcast(view: SessionView): void {
    for (const c of this.connections) {
      const user = this.userOf(c);
      if (user?.id === view.userId) c.send('session.changed', { ...view, blenderAddress: this.deps.sessions.uiAddress(view.userId) });
      else if (user?.role === 'admin') c.send('session.changed', view);
    }
  }

  private userOf(c: ApiConnection) {
    if (!c.token) return null;
    try {
      return this.deps.accounts.authenticate(c.token);
    } catch {
      c.token = null;
      return null;
    }
  }
}
