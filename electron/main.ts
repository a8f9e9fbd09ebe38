import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createMainWindow } from './window';

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
  app.whenReady().then(() => {
    mainWindow = createMainWindow(appDir);
    mainWindow.on('closed', () => { mainWindow = null; });
  });
  app.on('window-all-closed', () => app.quit());
}
