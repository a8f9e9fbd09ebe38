import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Electron's default one offers DevTools and Reload; a shared seat must not,
 * so those exist only while developing.
 */
export function appMenuTemplate(development: boolean): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [
    { label: 'File', submenu: [{ role: 'close' }, { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
  ];
  if (development) {
    template.push({ label: 'Develop', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] });
  }
  return template;
}
