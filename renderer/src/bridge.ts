import type { EventName, Events, PanelApi, PanelBridge, Reply } from '../../shared/api';
import { Emitter } from '../../shared/emitter';
import { METHOD_NAMES } from '../../shared/methods';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser (headless mode). */
    blenderLab?: PanelBridge;
  }
}

/** The headless transport: the same named methods over the panel's WebSocket. */
function webSocketBridge(): PanelBridge {
  const events = new Map<EventName, Emitter<unknown>>();
  const emitterOf = (event: EventName) => {
    let emitter = events.get(event);
    if (!emitter) events.set(event, (emitter = new Emitter<unknown>()));
    return emitter;
  };
  const pending = new Map<number, (reply: Reply<never>) => void>();
  let nextId = 1;
  let socket: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> =>
    (socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('The panel is not reachable'));
      ws.onclose = () => {
        socket = null;
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle({ ok: false, error: { code: 'INTERNAL', message: 'The connection to the panel was lost' } });
        }
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as { id?: number; reply?: Reply<never>; event?: EventName; payload?: unknown };
        if (data.event) events.get(data.event)?.emit(data.payload);
        else if (typeof data.id === 'number' && data.reply) {
          pending.get(data.id)?.(data.reply);
          pending.delete(data.id);
        }
      };
    }));

  const api = Object.fromEntries(
    METHOD_NAMES.map((method) => [
      method,
      async (input: unknown) => {
        try {
          const ws = await connect();
          const id = nextId++;
          return await new Promise<Reply<never>>((resolve) => {
            pending.set(id, resolve);
            ws.send(JSON.stringify({ id, method, input }));
          });
        } catch (error) {
          return { ok: false, error: { code: 'INTERNAL', message: (error as Error).message } };
        }
      },
    ]),
  ) as PanelApi;

  return {
    api,
    on(event, listener) {
      const off = emitterOf(event).on(listener as (payload: unknown) => void);
      void connect().catch(() => {});
      return off;
    },
  };
}

/**
 * The Electron preload's bridge, or the headless panel's WebSocket. In Electron a missing bridge
 * (a preload that failed to load) is an error the panel shows, never a silent fallback.
 */
export function findBridge(): PanelBridge | null {
  if (window.blenderLab) return window.blenderLab;
  const inElectron = location.protocol === 'app:' || /\bElectron\//.test(navigator.userAgent);
  return inElectron ? null : webSocketBridge();
}
export type { Events };
