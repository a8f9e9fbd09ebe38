import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { METHOD_NAMES, type EventName, type PanelBridge } from '../shared/api';

// One named function per API method; the raw ipcRenderer never reaches the page.
const api = Object.fromEntries(METHOD_NAMES.map((method) => [method, (input: unknown) => ipcRenderer.invoke(`api:${method}`, input)]));

const bridge: PanelBridge = {
  api: api as PanelBridge['api'],
  on(event: EventName, listener: (payload: never) => void) {
    const channel = `event:${event}`;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('blenderLab', bridge);
