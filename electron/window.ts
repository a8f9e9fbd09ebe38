import path from 'node:path';
import { BrowserWindow } from 'electron';
import { applyContentSecurityPolicy, guardNavigation, secureWebPreferences } from './security';

const devUrl = process.env.ELECTRON_RENDERER_URL;

/** The panel's own pages: the dev server while developing, the packaged files otherwise. */
export function isAppUrl(url: string): boolean {
  return devUrl ? url.startsWith(devUrl) : url.startsWith('file://');
}

export function createMainWindow(appDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#1d1d1d',
    title: 'Blender Lab',
    webPreferences: secureWebPreferences(path.join(appDir, '../preload/preload.cjs')),
  });
  applyContentSecurityPolicy(win.webContents.session, isAppUrl);
  guardNavigation(win.webContents, isAppUrl);
  win.once('ready-to-show', () => win.show());
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(path.join(appDir, '../renderer/index.html'));
  return win;
}
