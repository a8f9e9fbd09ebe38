import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, powerMonitor, protocol, safeStorage } from 'electron';
import { isActive } from '../shared/sessions';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol';
import { registerApi } from './ipc';
import { appMenuTemplate } from './menu';
import { quitSequence } from './quit';
import { createApp, type App } from './services/app/app';
import { SafeStorageSecretStore } from './services/secrets/safe-storage-secrets';
import { PanelTray } from './tray';
import { blenderUiMatcher, createMainWindow, isAppUrl, isDevelopment } from './window';

// Composition root: builds the services, the window, the tray and IPC; owns the app lifecycle.
const appDir = path.dirname(fileURLToPath(import.meta.url));
const resource = (name: string) => (app.isPackaged ? path.join(process.resourcesPath, name) : path.resolve(appDir, '../..', name));

// Before ready: the renderer's own origin, app://panel.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let services: App | null = null;
  let tray: PanelTray | null = null;
  let quitting = false;

  const openPanel = () => {
    if (!mainWindow) {
      mainWindow = createMainWindow(appDir, blenderUiMatcher(() => services!.settings.get()));
      mainWindow.on('closed', () => { mainWindow = null; });
    } else {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
    }
  };

  app.on('second-instance', openPanel);

  app.whenReady().then(async () => {
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(isDevelopment)));
    protocol.handle(
      APP_SCHEME,
      appProtocolHandler(path.resolve(appDir, '../renderer'), async (request) =>
        services ? services.files.transfer(request) : { status: 503, headers: {}, body: 'The panel is still starting' },
      ),
    );
    try {
      services = await createApp({
        dataDir: app.getPath('userData'),
        imageContextDir: resource('docker'),
        // Electron refuses keytar's Node-built binary; safeStorage keeps its key in the OS keychain.
        secretStore: (dataDir) => new SafeStorageSecretStore(safeStorage, dataDir),
        clipboard: { readText: () => clipboard.readText(), clear: () => clipboard.clear() },
      });
    } catch (error) {
      dialog.showErrorBox('Blender Lab cannot start', (error as Error).message);
      app.exit(1);
      return;
    }
    for (const problem of services.problems) console.error(`[blender-lab] ${problem}`);
    const { sessions, api, mcp } = services;
    mcp.allowOrigins([APP_ORIGIN]);
    if (mcp.url()) console.log(`MCP endpoint at ${mcp.url()}`);
    registerApi(ipcMain, api, (sender, frameUrl) => mainWindow !== null && sender === mainWindow.webContents && isAppUrl(frameUrl));
    // Whoever comes to a locked or woken machine is not necessarily who left it.
    powerMonitor.on('lock-screen', () => api.endAllSignIns('locked'));
    powerMonitor.on('suspend', () => api.endAllSignIns('locked'));
    tray = new PanelTray(resource('build/icon.png'), {
      stopSession: (userId) => void sessions.stop(userId, 'tray').catch((e) => console.error(e)),
      stopAll: () => void sessions.stopAll('tray').catch((e) => console.error(e)),
      openPanel,
      quit: () => app.quit(),
    });
    tray.update(sessions.list());
    sessions.changed.on(() => tray?.update(sessions.list()));
    openPanel();
  });

  // Closing the window leaves the panel in the tray while sessions run; otherwise it quits.
  app.on('window-all-closed', () => {
    if (!services || !services.sessions.list().some((s) => isActive(s.state))) app.quit();
  });

  app.on('before-quit', (event) => {
    if (quitting || !services) return;
    event.preventDefault();
    const current = services;
    void quitSequence({
      dialog,
      runningSessions: () => current.sessions.list().filter((s) => isActive(s.state)).length,
      stopAll: () => current.sessions.stopAll('quit'),
      dispose: async () => {
        tray?.destroy();
        await current.dispose();
      },
      exit: () => {
        quitting = true;
        app.quit();
      },
    });
  });
}
