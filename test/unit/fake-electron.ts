import { EventEmitter } from 'node:events';

/** A stand-in for the 'electron' module (its binary cannot be downloaded here): records what the glue asks of it. */
export function createFakeElectron() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const windows: FakeBrowserWindow[] = [];
  const trays: FakeTray[] = [];

  class FakeWebContents extends EventEmitter {
    static nextId = 1;
    id = FakeWebContents.nextId++;
    windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
    sent: [string, unknown][] = [];
    session = {
      permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void, details: { requestingUrl: string }) => void),
      permissionCheckHandler: null as null | ((wc: unknown, permission: string, origin: string) => boolean),
      headersHandler: null as null | ((details: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void),
      webRequest: { onHeadersReceived: (fn: never) => { (this as unknown as { headersHandler: unknown }).headersHandler = fn; } },
      setPermissionRequestHandler(fn: never) { this.permissionRequestHandler = fn; },
      setPermissionCheckHandler(fn: never) { this.permissionCheckHandler = fn; },
    };
    constructor() {
      super();
      this.session.webRequest.onHeadersReceived = (fn: never) => { this.session.headersHandler = fn; };
    }
    devToolsClosed = 0;
    setWindowOpenHandler(fn: never) { this.windowOpenHandler = fn; }
    closeDevTools() { this.devToolsClosed++; }
    isDestroyed() { return false; }
    send(channel: string, payload: unknown) { this.sent.push([channel, payload]); }
  }

  class FakeBrowserWindow extends EventEmitter {
    webContents = new FakeWebContents();
    loaded: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadFile(file: string) { this.loaded = `file://${file}`; return Promise.resolve(); }
    loadURL(url: string) { this.loaded = url; return Promise.resolve(); }
    show() {}
    override once(event: string, fn: () => void) { return super.once(event, fn); }
  }

  class FakeTray {
    tooltip = '';
    menu: { template: unknown[] } | null = null;
    menusSet = 0;
    destroyed = false;
    constructor(readonly image: unknown) { trays.push(this); }
    setToolTip(t: string) { this.tooltip = t; }
    setContextMenu(menu: { template: unknown[] }) { this.menu = menu; this.menusSet++; }
    destroy() { this.destroyed = true; }
  }

  const module = {
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
    ipcMain: { handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, fn) },
  };
  return { module, handlers, windows, trays, FakeWebContents };
}
