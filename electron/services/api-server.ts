import { METHOD_ROLES, methods, type EventName, type Events, type Method, type Reply, type Result } from '../../shared/api';
import { AppError, type ErrorData } from '../../shared/errors';
import type { SessionView } from '../../shared/sessions';
import { SIGN_IN_END_MESSAGES, type SignInEndReason } from '../../shared/sign-ins';
import { describeIssues } from '../../shared/validation';
import type { AccountService } from './accounts';
import type { Panel } from './panel';
import type { SessionManager } from './sessions';

/** How often sign-ins are checked for idleness and age. */
const SWEEP_MS = 5_000;

type Send = <E extends EventName>(event: E, payload: Events[E]) => void;

/** One renderer's link to main (a window, or a browser tab in headless mode). It holds the token; the renderer never does. */
export class ApiConnection {
  token: string | null = null;

  constructor(
    private readonly server: ApiServer,
    readonly send: Send,
  ) {}

  /** Validates, dispatches and turns every failure into `{code, message}`. */
  async call(method: unknown, input: unknown): Promise<Reply<Method>> {
    try {
      if (typeof method !== 'string' || !Object.hasOwn(methods, method)) {
        throw new AppError('INVALID_INPUT', `Unknown method ${JSON.stringify(method)?.slice(0, 80)}`);
      }
      const parsed = methods[method as Method].input.safeParse(input ?? {});
      if (!parsed.success) throw new AppError('INVALID_INPUT', `${method}: ${describeIssues(parsed.error)}`);
      const role = METHOD_ROLES[method as Method];
      if (role !== 'anyone') {
        const caller = this.server.caller(this);
        if (role === 'admin' && caller.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can do that');
      }
      const value = await this.server.dispatch(this, method as Method, parsed.data as never);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }

  /** The window or tab went away: the sign-in it held ends with it. */
  close(): void {
    this.server.disconnect(this);
  }
}

export function toErrorData(error: unknown): ErrorData {
  if (error instanceof AppError) return error.toData();
  // Unexpected failures are logged in main; the renderer gets no internals.
  console.error('[api] unexpected error', error);
  return { code: 'INTERNAL', message: 'Something went wrong in the panel. The details are in its log.' };
}

/** The panel's API for any transport: Electron IPC and the headless WebSocket both use it. */
export class ApiServer {
  private readonly connections = new Set<ApiConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly panel: Panel,
    private readonly accounts: AccountService,
    sessions: SessionManager,
    options: { sweepMs?: number } = {},
  ) {
    sessions.onChange((view) => this.broadcast(view));
    // A Blender stopped for idleness means nobody is at that person's panel: end their sign-ins too.
    sessions.stopped.on(({ userId, why }) => {
      if (why === 'idle') accounts.signIns.endAllFor(userId, 'blender-idle');
      // Someone still signed in when the engine comes back gets their Blender back by itself.
      const user = why === 'engine' && accounts.signIns.holds(userId) ? accounts.getUser(userId) : null;
      if (user && !user.disabled) {
        void sessions
          .start(user, (p) => this.sendTo(userId, 'session.progress', p), { because: 'Docker restarted, so your Blender was started again with your work.' })
          .catch((error) => console.error(`[api] restarting ${user.username}'s Blender after the engine came back failed: ${(error as Error).message}`));
      }
    });
    accounts.signIns.ended.on(({ token, reason }) => {
      for (const c of this.connections) {
        if (c.token !== token) continue;
        c.token = null;
        c.send('signIn.ended', { reason, message: SIGN_IN_END_MESSAGES[reason] });
      }
    });
    accounts.signIns.expiring.on(({ token, at }) => {
      for (const c of this.connections) if (c.token === token) c.send('signIn.expiring', { at: at.toISOString() });
    });
    this.sweeper = setInterval(() => accounts.signIns.sweep(), options.sweepMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  connect(send: Send): ApiConnection {
    const connection = new ApiConnection(this, send);
    this.connections.add(connection);
    return connection;
  }

  disconnect(connection: ApiConnection): void {
    this.connections.delete(connection);
    if (connection.token) this.accounts.signOut(connection.token);
    connection.token = null;
  }

  private sendTo<E extends EventName>(userId: string, event: E, payload: Events[E]): void {
    for (const c of this.connections) {
      if (c.token && this.accounts.signIns.userOf(c.token) === userId) c.send(event, payload);
    }
  }

  /** Ends every sign-in held here (the screen locked, the computer went to sleep). */
  endAllSignIns(reason: SignInEndReason): void {
    this.accounts.signIns.endAll(reason);
  }

  /** The signed-in person behind a connection, resolved once per call. */
  caller(c: ApiConnection) {
    if (!c.token) throw new AppError('NOT_SIGNED_IN', 'You are not signed in');
    try {
      return this.accounts.authenticate(c.token);
    } catch (error) {
      c.token = null;
      throw error;
    }
  }

  dispose(): void {
    clearInterval(this.sweeper);
  }

  /** Session changes go to their owner and to administrators only. */
  private broadcast(view: SessionView): void {
    for (const c of this.connections) {
      if (!c.token) continue;
      try {
        const user = this.accounts.authenticate(c.token);
        if (user.role === 'admin' || user.id === view.userId) c.send('session.changed', view);
      } catch {
        c.token = null;
      }
    }
  }

  async dispatch<M extends Method>(c: ApiConnection, method: M, input: never): Promise<Result<M>> {
    const p = this.panel;
    const token = c.token ?? '';
    const i = input as ValidatedInput; // already checked against this method's schema
    const progress = (step: Events['session.progress']) => c.send('session.progress', step);
    const handlers: { [K in Method]: () => Promise<Result<K>> | Result<K> } = {
      'auth.signUp': () => p.signUp(i.username, i.password),
      'auth.signIn': async () => {
        if (c.token) await p.signOut(c.token).catch(() => {});
        const { token: fresh, user, session } = await p.signIn(i.username, i.password, progress);
        c.token = fresh;
        return { user, session };
      },
      'auth.whoAmI': () => {
        if (!c.token) return null;
        try {
          return p.whoAmI(c.token);
        } catch {
          c.token = null;
          return null;
        }
      },
      'auth.signOut': async () => {
        c.token = null;
        await p.signOut(token);
        return null;
      },
      'account.changePassword': async () => (await p.changePassword(token, i.current, i.next), null),
      'session.mine': () => p.mySession(token),
      'session.start': () => p.startMySession(token, progress),
      'session.blenderAddress': () => p.myBlenderAddress(token),
      'session.activity': () => {
        this.accounts.signIns.touch(token);
        p.reportActivity(token);
        return null;
      },
      'session.versions': () => p.savedStates(token),
      'session.openVersion': () => p.openVersion(token, i.name, progress),
      'blender.sceneInfo': () => p.command(token, 'get_scene_info', {}),
      'blender.objectInfo': () => p.command(token, 'get_object_info', { name: i.name }),
      'blender.run': async () => ({ output: (await p.command(token, 'execute_code', { code: i.code })).result }),
      'blender.screenshot': () => p.command(token, 'get_viewport_screenshot', i.maxSize === undefined ? {} : { max_size: i.maxSize }),
      'keys.list': () => p.listMyKeys(token),
      'keys.set': async () => (await p.setMyKey(token, i.name, i.value), null),
      'keys.clear': async () => (await p.clearMyKey(token, i.name), null),
      'admin.sessions': () => p.sessionsWithStats(token),
      'admin.stopSession': () => p.stopSession(token, i.userId),
      'admin.stopAll': async () => (await p.stopAllSessions(token), null),
      'admin.cleanupIdle': async () => ({ stopped: (await p.cleanupIdleSessions(token)).length }),
      'admin.logs': () => p.sessionLogs(token, i.userId),
      'admin.versions': () => p.userSavedStates(token, i.userId),
      'admin.users': () => p.listUsers(token),
      'admin.createUser': () => p.createUser(token, i.username, i.password, i.role),
      'admin.setDisabled': () => p.setUserDisabled(token, i.userId, i.disabled),
      'admin.setRole': () => p.setUserRole(token, i.userId, i.role),
      'admin.resetPassword': async () => (await p.resetUserPassword(token, i.userId, i.password), null),
      'admin.deleteUser': async () => (await p.deleteUser(token, i.userId, { deleteData: i.deleteData }), null),
      'admin.settings': () => p.getSettings(token),
      'admin.updateSettings': () => p.updateSettings(token, input),
    };
    return (await handlers[method]()) as Result<M>;
  }
}

/** The union of all methods' fields; each handler reads only its own method's. */
interface ValidatedInput {
  username: string;
  password: string;
  current: string;
  next: string;
  name: string;
  value: string;
  code: string;
  maxSize?: number;
  userId: string;
  disabled: boolean;
  role: 'admin' | 'user';
  deleteData: boolean;
}

