import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { registerApi } from './ipc';
import { createApp } from './services/app';
import { createMainWindow, isAppUrl } from './window';

// Composition root: one panel per workstation login.
const appDir = path.dirname(fileURLToPath(import.meta.url));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.whenReady().then(async () => {
    const imageContextDir = app.isPackaged ? path.join(process.resourcesPath, 'docker') : path.resolve(appDir, '../../docker');
    let services;
    try {
      services = await createApp({ dataDir: app.getPath('userData'), imageContextDir });
    } catch (error) {
      dialog.showErrorBox('Blender Lab cannot start', (error as Error).message);
      app.exit(1);
      return;
    }
    for (const problem of services.problems) console.error(`[blender-lab] ${problem}`);
    registerApi(ipcMain, services.api, (sender, frameUrl) => mainWindow !== null && sender === mainWindow.webContents && isAppUrl(frameUrl));
    mainWindow = createMainWindow(appDir);
    mainWindow.on('closed', () => { mainWindow = null; });
  });
  app.on('window-all-closed', () => app.quit());
}
