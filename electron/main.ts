import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { isActive } from '../shared/sessions';
import { registerApi } from './ipc';
import { quitSequence } from './quit';
import { createApp, type App } from './services/app';
import { PanelTray } from './tray';
import { blenderUiMatcher, createMainWindow, isAppUrl } from './window';

// Composition root: builds the services, the window, the tray and IPC; owns the app lifecycle.
const appDir = path.dirname(fileURLToPath(import.meta.url));
const resource = (name: string) => (app.isPackaged ? path.join(process.resourcesPath, name) : path.resolve(appDir, '../..', name));

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
    try {
      services = await createApp({ dataDir: app.getPath('userData'), imageContextDir: resource('docker') });
    } catch (error) {
      dialog.showErrorBox('Blender Lab cannot start', (error as Error).message);
      app.exit(1);
      return;
    }
    for (const problem of services.problems) console.error(`[blender-lab] ${problem}`);
    const { sessions } = services;
    registerApi(ipcMain, services.api, (sender, frameUrl) => mainWindow !== null && sender === mainWindow.webContents && isAppUrl(frameUrl));
    tray = new PanelTray(resource('build/icon.png'), {
      stopSession: (userId) => void sessions.stop(userId, 'tray').catch((e) => console.error(e)),
      stopAll: () => void sessions.stopAll('tray').catch((e) => console.error(e)),
      openPanel,
      quit: () => app.quit(),
    });
    tray.update(sessions.list());
    sessions.onChange(() => tray?.update(sessions.list()));
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
