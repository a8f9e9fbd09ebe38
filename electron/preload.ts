import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventName, PanelBridge } from '../shared/api';
import { EVENT_NAMES, METHOD_NAMES } from '../shared/methods';

// A sandboxed preload may require only electron, events, timers and url: this file imports the
// method list from shared/methods.ts (no zod, no schemas) and is bundled into one file.
// One named function per API method; the raw ipcRenderer never reaches the page.
const api = Object.fromEntries(METHOD_NAMES.map((method) => [method, (input: unknown) => ipcRenderer.invoke(`api:${method}`, input)]));

const bridge: PanelBridge = {
  api: api as PanelBridge['api'],
  on(event: EventName, listener: (payload: never) => void) {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const channel = `event:${event}`;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('blenderLab', bridge);
