import { describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES } from '../../shared/api';
import type { SessionView } from '../../shared/sessions';
import { createFakeElectron } from './fake-electron';

const fake = vi.hoisted(() => ({ electron: null as unknown as ReturnType<typeof import('./fake-electron').createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron: make } = await import('./fake-electron');
  fake.electron = make();
  return fake.electron.module;
});

const { blenderUiMatcher, createMainWindow, isAppUrl } = await import('../../electron/window');
const { registerApi } = await import('../../electron/ipc');
const { PanelTray } = await import('../../electron/tray');
const { quitSequence } = await import('../../electron/quit');
const { trayMenu } = await import('../../electron/tray-menu');

const session = (over: Partial<SessionView>): SessionView => ({
  userId: 'a1a1a1a1a1', username: 'ada', state: 'ready', reason: null, containerName: 'blender-ada-a1a1a1a1a1',
  ports: { addon: 10000, ui: 13000 }, startedAt: '2026-11-25T10:00:00Z', lastActivityAt: null, lastSave: null, scene: null, blenderAddress: null, warnings: [], ...over,
});

describe('the main window', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, our preload', () => {
    const win = createMainWindow('/app/out/main') as unknown as { options: { webPreferences: Record<string, unknown> }; loaded: string };
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, preload: '/app/out/preload/preload.cjs' });
    // The renderer comes from the app's own scheme, never file:// (every file would count as the app).
    expect(win.loaded).toBe('app://panel/index.html');
  });

  it('denies navigation away from the app, new windows and permission requests', () => {
    const win = createMainWindow('/app/out/main') as unknown as { webContents: InstanceType<ReturnType<typeof createFakeElectron>['FakeWebContents']> };
    const wc = win.webContents;
    const away = { preventDefault: vi.fn() };
    wc.emit('will-navigate', away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalled();
    const home = { preventDefault: vi.fn() };
    wc.emit('will-navigate', home, 'app://panel/index.html');
    expect(home.preventDefault).not.toHaveBeenCalled();
    const file = { preventDefault: vi.fn() };
    wc.emit('will-navigate', file, 'file:///app/out/renderer/index.html');
    expect(file.preventDefault).toHaveBeenCalled();
    expect(wc.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    wc.session.permissionRequestHandler?.(wc, 'media', (ok) => { granted = ok; }, { requestingUrl: 'app://panel/index.html' });
    expect(granted).toBe(false);
  });

  it('gives the clipboard only to a Blender frame, and full screen only to the panel', () => {
    const isBlenderUi = blenderUiMatcher(() => ({ uiPortBase: 13000, portRangeSize: 100 }));
    const wc = (createMainWindow('/app/out/main', isBlenderUi) as unknown as { webContents: InstanceType<ReturnType<typeof createFakeElectron>['FakeWebContents']> }).webContents;
    const asks = (permission: string, requestingUrl: string) => {
      let granted: boolean | undefined;
      wc.session.permissionRequestHandler?.(wc, permission, (ok) => { granted = ok; }, { requestingUrl });
      return granted;
    };
    const blender = 'http://127.0.0.1:13005/blender-lab.html';
    expect(asks('clipboard-read', blender)).toBe(true);
    expect(asks('clipboard-sanitized-write', blender)).toBe(true);
    expect(asks('clipboard-read', 'app://panel/index.html')).toBe(false);
    expect(asks('clipboard-read', 'http://127.0.0.1:9999/')).toBe(false);
    expect(asks('clipboard-read', 'https://example.com/')).toBe(false);
    expect(asks('fullscreen', 'app://panel/index.html')).toBe(true);
    expect(asks('fullscreen', blender)).toBe(false);
    expect(asks('media', blender)).toBe(false);
    expect(wc.session.permissionCheckHandler?.(wc, 'clipboard-read', 'http://127.0.0.1:13005')).toBe(true);
    expect(wc.session.permissionCheckHandler?.(wc, 'clipboard-read', 'http://127.0.0.1:8080')).toBe(false);
  });

  it('lets an embedded frame show a Blender UI on loopback in the UI port range, and nothing else', () => {
    const isBlenderUi = blenderUiMatcher(() => ({ uiPortBase: 13000, portRangeSize: 100 }));
    const win = createMainWindow('/app/out/main', isBlenderUi) as unknown as { webContents: InstanceType<ReturnType<typeof createFakeElectron>['FakeWebContents']> };
    const navigate = (url: string, isMainFrame = false) => {
      const event = { url, isMainFrame, preventDefault: vi.fn() };
      win.webContents.emit('will-frame-navigate', event);
      return event.preventDefault.mock.calls.length === 0;
    };
    expect(navigate('http://127.0.0.1:13005/vnc.html?autoconnect=1')).toBe(true);
    expect(navigate('http://127.0.0.1:12999/')).toBe(false);
    expect(navigate('http://127.0.0.1:13100/')).toBe(false);
    expect(navigate('http://192.0.2.1:13005/')).toBe(false);
    expect(navigate('https://127.0.0.1:13005/')).toBe(false);
  });

  it('refuses a redirect of the window away from the app, or of a frame to anything but a Blender UI', () => {
    const isBlenderUi = blenderUiMatcher(() => ({ uiPortBase: 13000, portRangeSize: 100 }));
    const win = createMainWindow('/app/out/main', isBlenderUi) as unknown as { webContents: InstanceType<ReturnType<typeof createFakeElectron>['FakeWebContents']> };
    const redirect = (url: string, isMainFrame: boolean) => {
      const event = { url, isMainFrame, preventDefault: vi.fn() };
      win.webContents.emit('will-redirect', event);
      return event.preventDefault.mock.calls.length === 0;
    };
    expect(redirect('https://example.com/', true)).toBe(false);
    expect(redirect('app://panel/index.html', true)).toBe(true);
    expect(redirect('http://127.0.0.1:13001/blender-lab.html', false)).toBe(true);
    expect(redirect('http://127.0.0.1:8080/', false)).toBe(false);
  });

  it('closes DevTools outside development, however they were opened', () => {
    const win = createMainWindow('/app/out/main') as unknown as { webContents: InstanceType<ReturnType<typeof createFakeElectron>['FakeWebContents']> };
    win.webContents.emit('devtools-opened');
    expect(win.webContents.devToolsClosed).toBe(1);
  });

  it('counts exactly the app:// origin as the app', () => {
    expect(isAppUrl('app://panel/index.html')).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/index.html')).toBe(false);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('http://127.0.0.1:13000/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('IPC registration', () => {
  function setup(trusted: boolean) {
    const calls: [string, unknown][] = [];
    const api = { connect: () => ({ call: async (m: string, i: unknown) => (calls.push([m, i]), { ok: true, value: 'done' }), close() {} }) };
    registerApi(fake.electron.module.ipcMain as never, api as never, () => trusted);
    const sender = new fake.electron.FakeWebContents();
    const invoke = (method: string, input: unknown) => fake.electron.handlers.get(`api:${method}`)!({ sender, senderFrame: { url: 'file:///x' } }, input);
    return { calls, invoke };
  }

  it('registers one handler per API method and nothing generic', () => {
    setup(true);
    expect([...fake.electron.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => `api:${m}`).sort());
  });

  it('passes calls from our window to the API', async () => {
    const { calls, invoke } = setup(true);
    expect(await invoke('blender.sceneInfo', {})).toEqual({ ok: true, value: 'done' });
    expect(calls).toEqual([['blender.sceneInfo', {}]]);
  });

  it('refuses calls from any other sender, without reaching the API', async () => {
    const { calls, invoke } = setup(false);
    expect(await invoke('admin.stopAll', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted from the panel window only' } });
    expect(calls).toEqual([]);
  });
});

describe('the tray', () => {
  const actions = () => ({ stopSession: vi.fn(), stopAll: vi.fn(), openPanel: vi.fn(), quit: vi.fn() });

  it('lists each running session as user — state — uptime, with Stop session', () => {
    const a = actions();
    const now = Date.parse('2026-11-25T11:05:00Z');
    const menu = trayMenu([session({}), session({ userId: 'b2b2b2b2b2', username: 'bob', state: 'stopped' })], now, a);
    expect(menu[0]).toMatchObject({ kind: 'submenu', label: 'ada — ready — 1 h 5 min' });
    expect(menu.map((i) => ('label' in i ? i.label : '---'))).toEqual(['ada — ready — 1 h 5 min', '---', 'Stop all sessions', 'Open panel', 'Quit…']);
    const stop = (menu[0] as { items: { run: () => void }[] }).items[0]!;
    stop.run();
    expect(a.stopSession).toHaveBeenCalledWith('a1a1a1a1a1');
  });

  it('says when nothing runs, and greys out Stop all', () => {
    const menu = trayMenu([], Date.now(), actions());
    expect(menu[0]).toEqual({ kind: 'label', label: 'No sessions running' });
    expect(menu.find((i) => 'label' in i && i.label === 'Stop all sessions')).toMatchObject({ enabled: false });
  });

  it('sets its menu again on every change', () => {
    const a = actions();
    const tray = new PanelTray('/icon.png', a, () => Date.parse('2026-11-25T10:30:00Z'));
    const real = fake.electron.trays.at(-1)!;
    const before = real.menusSet;
    tray.update([session({})]);
    expect(real.menusSet).toBe(before + 1);
    expect(real.tooltip).toBe('Blender Lab — 1 session running');
    const template = real.menu!.template as { label?: string; click?: () => void }[];
    expect(template[0]?.label).toBe('ada — ready — 30 min');
    template.find((i) => i.label === 'Open panel')!.click!();
    expect(a.openPanel).toHaveBeenCalled();
    tray.destroy();
    expect(real.destroyed).toBe(true);
  });
});

describe('quitting', () => {
  const deps = (response: number, running = 2) => {
    const log: string[] = [];
    return {
      log,
      deps: {
        dialog: { showMessageBox: vi.fn(async () => ({ response, checkboxChecked: false })) },
        runningSessions: () => running,
        stopAll: async () => void log.push('stopAll'),
        dispose: async () => void log.push('dispose'),
        exit: () => void log.push('exit'),
      },
    };
  };

  it('stops running sessions before exiting when asked to', async () => {
    const { log, deps: d } = deps(0);
    expect(await quitSequence(d as never)).toBe(true);
    expect(log).toEqual(['stopAll', 'dispose', 'exit']);
    expect(d.dialog.showMessageBox).toHaveBeenCalledWith(expect.objectContaining({ message: '2 Blender sessions are still running.' }));
  });

  it('leaves sessions running for the next start when asked to', async () => {
    const { log, deps: d } = deps(1);
    await quitSequence(d as never);
    expect(log).toEqual(['dispose', 'exit']);
  });

  it('does nothing on Cancel', async () => {
    const { log, deps: d } = deps(2);
    expect(await quitSequence(d as never)).toBe(false);
    expect(log).toEqual([]);
  });

  it('does not ask when nothing runs', async () => {
    const { log, deps: d } = deps(0, 0);
    await quitSequence(d as never);
    expect(d.dialog.showMessageBox).not.toHaveBeenCalled();
    expect(log).toEqual(['dispose', 'exit']);
  });
});
