import { vi } from 'vitest';
import type { EventName, Events, Method, PanelApi, PanelBridge, Reply, Result } from '../../shared/api';
import type { ErrorData } from '../../shared/errors';
import type { SessionView } from '../../shared/sessions';

/** The renderer's only boundary, scripted per test: every method answers what the test says. */
export function fakeBridge() {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const answers = new Map<Method, (input: unknown) => Reply<Method>>();
  const calls: [Method, unknown][] = [];
  const api = new Proxy({} as PanelApi, {
    // A test may replace a method outright; otherwise it answers from `answers`.
    get: (target, method: Method) =>
      target[method] ??
      vi.fn(async (input: unknown) => {
        calls.push([method, input]);
        const answer = answers.get(method);
        return answer ? answer(input) : { ok: true, value: null };
      }),
  });
  const bridge: PanelBridge = {
    api,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
  return {
    bridge,
    calls,
    answer<M extends Method>(method: M, value: Result<M> | ((input: unknown) => Result<M>)) {
      answers.set(method, (input) => ({ ok: true, value: typeof value === 'function' ? (value as (i: unknown) => Result<M>)(input) : value }) as Reply<Method>);
    },
    fail(method: Method, error: ErrorData) {
      answers.set(method, () => ({ ok: false, error }));
    },
    emit<E extends EventName>(event: E, payload: Events[E]) {
      listeners.get(event)?.forEach((l) => l(payload as never));
    },
  };
}

/** The address of a person's own Blender, as their session view carries it. */
export const ADDRESS = 'http://127.0.0.1:13000/blender-lab.html#token=bobs-secret';

export const ada = { id: 'a1a1a1a1a1', username: 'ada', role: 'admin' as const, createdAt: '2026-11-25T10:00:00Z', lastLoginAt: null, disabled: false };
export const bob = { ...ada, id: 'b2b2b2b2b2', username: 'bob', role: 'user' as const };

export function sessionOf(user: { id: string; username: string }, over: Partial<SessionView> = {}): SessionView {
  return {
    userId: user.id, username: user.username, state: 'ready', reason: null, containerName: `blender-${user.username}-${user.id}`,
    ports: { addon: 10000, ui: 13000 }, startedAt: new Date().toISOString(), lastActivityAt: new Date().toISOString(), lastSave: null, scene: null, warnings: [], blenderAddress: over.state && over.state !== 'ready' ? null : ADDRESS, ...over,
  };
}
