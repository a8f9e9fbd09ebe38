// The parts of Electron's main-process API the panel uses at start-up; each reports what it is asked.
const say = (...parts) => console.log(parts.join(' '));
const noop = () => {};

export const app = {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  on: noop,
  getPath: () => process.env.FAKE_USER_DATA,
  quit: () => say('QUIT'),
  exit: (code) => { say('EXIT', code); process.exit(code); },
};
export class BrowserWindow {
  constructor(options) {
    this.webContents = { id: 1, session: { webRequest: { onHeadersReceived: noop }, setPermissionRequestHandler: noop, setPermissionCheckHandler: noop }, on: noop, setWindowOpenHandler: noop };
    say('WINDOW', JSON.stringify(options.webPreferences));
  }
  on() { return this; }
  once() { return this; }
  loadURL(url) { say('LOAD', url); return Promise.resolve(); }
}
export const ipcMain = { handle: noop };
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu: (m) => say('MENU', JSON.stringify(m)) };
export const powerMonitor = { on: (event) => say('POWER', event) };
export const protocol = { registerSchemesAsPrivileged: noop, handle: (scheme) => say('PROTOCOL', scheme) };
export const safeStorage = { isEncryptionAvailable: () => true, getSelectedStorageBackend: () => 'gnome_libsecret', encryptString: (s) => Buffer.from(s), decryptString: (b) => b.toString() };
export const dialog = { showErrorBox: (title, message) => say('ERRORBOX', title, message), showMessageBox: async () => ({ response: 2 }) };
export class Tray { setToolTip() {} setContextMenu() {} destroy() {} }
export const nativeImage = { createFromPath: (p) => ({ path: p }) };
export const clipboard = { readText: async () => '', clear: () => say('CLIPBOARD', 'cleared') };
export default { app, BrowserWindow, ipcMain, Menu, powerMonitor, protocol, safeStorage, dialog, Tray, nativeImage, clipboard };
