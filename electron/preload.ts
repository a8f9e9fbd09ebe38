import { contextBridge } from 'electron';
import type { PanelInfo } from '../shared/panel';

// Named values only: the renderer never sees ipcRenderer itself.
const info: PanelInfo = { platform: process.platform, versions: { electron: process.versions.electron ?? '' } };
contextBridge.exposeInMainWorld('blenderLab', { info });
