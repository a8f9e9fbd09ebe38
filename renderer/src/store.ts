import { createStore, type StoreApi } from 'zustand/vanilla';
import type { User } from '../../shared/accounts';
import type { Input, Method, PanelApi, PanelBridge, Reply, Result } from '../../shared/api';
import { METHOD_NAMES } from '../../shared/methods';
import type { ErrorData } from '../../shared/errors';
import { showsBlender, type AdminSessionRow, type SessionView, type StartProgress } from '../../shared/sessions';

export type View = 'workspace' | 'assets' | 'files' | 'admin' | 'keys' | 'ai' | 'account';

export interface HistoryEntry {
  id: number;
  at: string;
  label: string;
  ok: boolean;
  /** A JSON value, a text output, or a PNG as base64. */
  result: { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'image'; base64: string; width: number; height: number; alt?: string } | { kind: 'error'; error: ErrorData };
}

export interface PanelState {
  ready: boolean;
  user: User | null;
  session: SessionView | null;
  progress: StartProgress | null;
  signingIn: boolean;
  error: ErrorData | null;
  blenderAddress: string | null;
  view: View;
  history: HistoryEntry[];
  running: string | null;
  /** Everyone's sessions with their resource use, for administrators. */
  sessions: AdminSessionRow[];
  /**
   * The API as every screen calls it: a reply that belongs to a sign-in other than the current one
   * is dropped, and NOT_SIGNED_IN from any call ends the sign-in here.
   */
  api: PanelApi;
  /** When this sign-in ends unless the person shows they are there (the "Still there?" warning). */
  expiresAt: string | null;
  /** Why the last sign-in ended, shown on the sign-in screen. */
  signedOutBecause: string | null;

  init(): Promise<void>;
  signIn(username: string, password: string): Promise<void>;
  signUp(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  startAgain(): Promise<void>;
  /** Saves the open scene, then restarts Blender on an earlier saved version. */
  openVersion(name: string): Promise<void>;
  /** Saves the open scene, then restarts Blender on a .blend of the person's own (path relative to their home). */
  openFile(path: string): Promise<void>;
  command(label: string, run: () => Promise<HistoryEntry['result']>): Promise<void>;
  sceneInfo(): Promise<void>;
  screenshot(): Promise<void>;
  /** Renders the camera view into ~/renders and shows it in History. */
  render(): Promise<void>;
  runPython(code: string): Promise<void>;
  setView(view: View): void;
  refreshSessions(): Promise<void>;
  dismissError(): void;
  /** Input seen (in the panel or in the Blender frame): tells main, at most twice a minute unless a warning is up. */
  reportActivity(): void;
  stay(): Promise<void>;
  /** The person's Blender put text on the seat's clipboard (its SHA-256): main clears it from there when this sign-in ends. */
  copiedFromBlender(digest: string): void;
  /** Digests of text the Blenders of earlier sign-ins in this window copied: a frame never offers those to its Blender. */
  othersCopies(): string[];
}

/** How often input is reported while no warning is up. */
const ACTIVITY_REPORT_MS = 30_000;

export type PanelStore = StoreApi<PanelState>;

/** What a screen gets for a reply that came back after its sign-in was over. */
const ENDED: { code: 'NOT_SIGNED_IN'; message: string } = { code: 'NOT_SIGNED_IN', message: 'That sign-in has ended.' };
const ENDED_HERE = 'Your sign-in has ended. Sign in again to go on; your Blender keeps running.';
/** Digests of earlier sign-ins' copies kept in this window (never the text): bounded, oldest forgotten first. */
const OTHERS_COPIES_KEPT = 256;

/** All the renderer's state, driven by the bridge; plain data in, plain data out. */
export function createPanelStore(bridge: PanelBridge, now: () => number = Date.now): PanelStore {
  let historyId = 0;
  let lastReport = 0;
  /** Counts sign-ins begun and ended: a reply is for the sign-in that was current when it was asked. */
  let era = 0;
  let ownCopies: string[] = [];
  let othersCopies: string[] = [];
  /** The sign-in is over: what its Blender copied is someone else's from now on. */
  const closeEra = () => {
    era++;
    othersCopies = [...othersCopies.filter((d) => !ownCopies.includes(d)), ...ownCopies].slice(-OTHERS_COPIES_KEPT);
    ownCopies = [];
  };
  const endSignIn = (because: string) => {
    closeEra();
    store.setState({ ...signedOutState(), signedOutBecause: because, error: null });
  };
  const guarded = async <M extends Method>(method: M, input: Input<M>): Promise<Reply<M>> => {
    const asked = era;
    const reply = await bridge.api[method](input);
    if (asked !== era) return { ok: false, error: ENDED };
    // The sign-in ended where no event could say so (the connection dropped): forget the person.
    if (!reply.ok && reply.error.code === 'NOT_SIGNED_IN' && store.getState().user) endSignIn(ENDED_HERE);
    return reply;
  };
  const api = Object.fromEntries(METHOD_NAMES.map((m) => [m, (input: Input<typeof m>) => guarded(m, input)])) as PanelApi;
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Result<M>> => {
    const reply = await guarded(method, input);
    if (!reply.ok) throw reply.error;
    return reply.value;
  };

  const store = createStore<PanelState>()((set, get) => {
    const afterStart = (session: SessionView) => {
      set({ session, progress: null, blenderAddress: showsBlender(session.state) ? session.blenderAddress : null });
    };
    const fail = (error: unknown) => {
      const data = asError(error);
      if (data === ENDED) return; // a reply for a sign-in that is over: nobody here asked for it
      if (data.code === 'NOT_SIGNED_IN' && get().signedOutBecause) return; // already said on the sign-in screen
      set({ error: data });
    };
    /** Blender saves and starts again on another scene: the start screen shows each step, then the workspace. */
    const reopen = async (restart: () => Promise<SessionView>) => {
      set({ error: null, signingIn: true, view: 'workspace', progress: { step: 'scene', message: 'Saving the open scene first' } });
      try {
        afterStart(await restart());
      } catch (error) {
        set({ progress: null });
        fail(error);
      } finally {
        set({ signingIn: false });
      }
    };

    return {
      ready: false,
      user: null,
      session: null,
      progress: null,
      signingIn: false,
      error: null,
      blenderAddress: null,
      view: 'workspace',
      history: [],
      running: null,
      sessions: [],
      api,
      expiresAt: null,
      signedOutBecause: null,

      async init() {
        try {
          const user = await call('auth.whoAmI', {});
          set({ user });
          if (user) {
            const session = await call('session.mine', {});
            if (session) afterStart(session);
          }
        } catch (error) {
          fail(error);
        } finally {
          set({ ready: true });
        }
      },

      async signIn(username, password) {
        // The starting screen appears with the first progress report, i.e. once the password is accepted.
        closeEra(); // anything still on its way belongs to whoever was here before
        set({ signingIn: true, error: null, signedOutBecause: null });
        try {
          const { user, session } = await call('auth.signIn', { username, password });
          lastReport = now();
          set({ user, view: 'workspace', history: [] });
          afterStart(session);
        } catch (error) {
          set({ progress: null });
          fail(error);
        } finally {
          set({ signingIn: false });
        }
      },

      async signUp(username, password) {
        set({ error: null });
        try {
          await call('auth.signUp', { username, password });
          await get().signIn(username, password);
        } catch (error) {
          fail(error);
        }
      },

      async signOut() {
        set({ progress: { step: 'ready', message: 'Saving your scene and stopping Blender' } });
        const ending = call('auth.signOut', {});
        closeEra();
        try {
          await ending;
        } catch (error) {
          if (asError(error) !== ENDED) fail(error);
        }
        set(signedOutState());
      },

      async startAgain() {
        set({ error: null, signingIn: true, progress: { step: 'image', message: 'Starting Blender' } });
        try {
          afterStart(await call('session.start', {}));
        } catch (error) {
          set({ progress: null });
          fail(error);
        } finally {
          set({ signingIn: false });
        }
      },

      openVersion: (name) => reopen(() => call('session.openVersion', { name })),
      openFile: (path) => reopen(() => call('files.open', { path })),

      async command(label, run) {
        const owner = get().user?.id;
        set({ running: label });
        let result: HistoryEntry['result'];
        try {
          result = await run();
        } catch (error) {
          result = { kind: 'error', error: asError(error) };
        }
        // A result that arrives after its person was signed out belongs to nobody on this screen now.
        if (get().user?.id !== owner) return set({ running: null });
        const entry: HistoryEntry = { id: ++historyId, at: new Date().toISOString(), label, ok: result.kind !== 'error', result };
        set({ running: null, history: [entry, ...get().history].slice(0, 50) });
      },

      sceneInfo: () => get().command('Scene info', async () => ({ kind: 'json', value: await call('blender.sceneInfo', {}) })),

      screenshot: () =>
        get().command('Screenshot', async () => {
          const shot = await call('blender.screenshot', { maxSize: 1024 });
          return { kind: 'image', base64: shot.image_base64, width: shot.width, height: shot.height, alt: 'Viewport screenshot' };
        }),

      render: () =>
        get().command('Render', async () => {
          const image = await call('blender.render', {});
          return { kind: 'image', base64: image.image_base64, width: image.width, height: image.height, alt: `Render saved as ${image.path}` };
        }),

      runPython: (code) =>
        get().command(`Run: ${code.split('\n')[0]!.slice(0, 60)}`, async () => ({ kind: 'text', value: (await call('blender.run', { code })).output })),

      setView(view) {
        set({ view });
        if (view === 'admin') void get().refreshSessions();
      },

      async refreshSessions() {
        try {
          set({ sessions: await call('admin.sessions', {}) });
        } catch (error) {
          fail(error);
        }
      },

      dismissError: () => set({ error: null }),

      reportActivity() {
        if (!get().user) return;
        if (!get().expiresAt && now() - lastReport < ACTIVITY_REPORT_MS) return;
        lastReport = now();
        set({ expiresAt: null });
        void guarded('session.activity', {});
      },

      copiedFromBlender(digest) {
        if (!get().user || !/^[a-f0-9]{64}$/.test(digest) || ownCopies.includes(digest)) return;
        ownCopies.push(digest);
        void guarded('session.copiedFromBlender', { digest });
      },

      othersCopies: () => [...othersCopies],

      async stay() {
        lastReport = now();
        set({ expiresAt: null });
        try {
          await call('session.activity', {});
        } catch (error) {
          fail(error);
        }
      },
    };
  });

  bridge.on('mcp.call', (call) => {
    const state = store.getState();
    if (!state.user) return;
    const result: HistoryEntry['result'] = call.result.kind === 'error' ? { kind: 'error', error: { code: 'BLENDER_COMMAND_FAILED', message: call.result.message } } : call.result;
    const entry: HistoryEntry = { id: ++historyId, at: new Date().toISOString(), label: `${call.tokenName}: ${call.tool}`, ok: call.ok, result };
    store.setState({ history: [entry, ...state.history].slice(0, 50) });
  });
  bridge.on('signIn.expiring', ({ at }) => {
    if (store.getState().user) store.setState({ expiresAt: at });
  });
  bridge.on('signIn.ended', ({ message }) => endSignIn(message));

  bridge.on('session.progress', (progress) => {
    if (store.getState().signingIn) store.setState({ progress });
  });
  bridge.on('session.changed', (view) => {
    const state = store.getState();
    if (state.user && view.userId === state.user.id) {
      store.setState({ session: view, blenderAddress: showsBlender(view.state) ? view.blenderAddress : null });
    }
    if (state.user?.role === 'admin') {
      const previous = state.sessions.find((s) => s.userId === view.userId);
      const others = state.sessions.filter((s) => s.userId !== view.userId);
      const row = { ...view, stats: view.state === 'ready' ? (previous?.stats ?? null) : null };
      store.setState({ sessions: [...others, row].sort((a, b) => a.username.localeCompare(b.username)) });
    }
  });
  return store;
}

/** Everything of the person who was signed in: nothing of it may stay for the next one. */
function signedOutState(): Partial<PanelState> {
  return { user: null, session: null, blenderAddress: null, progress: null, signingIn: false, history: [], sessions: [], view: 'workspace', running: null, expiresAt: null };
}

export function asError(error: unknown): ErrorData {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) return error as ErrorData;
  return { code: 'INTERNAL', message: String((error as Error)?.message ?? error) };
}
