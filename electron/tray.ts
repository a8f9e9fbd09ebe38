import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { SessionView } from '../shared/sessions';
import { trayMenu, trayTooltip, type TrayActions, type TrayItem } from './tray-menu';

/**
 * The tray icon. Linux trays ignore clicks and show only the context menu, so the menu is the
 * interface, and it is set again on every change (Linux does not pick up edits to a live menu).
 */
export class PanelTray {
  private readonly tray: Tray;
  private sessions: SessionView[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(iconPath: string, private readonly actions: TrayActions, private readonly clock: () => number = Date.now) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    this.render();
    // Uptimes in the menu move on even when nothing else changes.
    this.timer = setInterval(() => this.render(), 60_000);
    this.timer.unref();
  }

  update(sessions: SessionView[]): void {
    this.sessions = sessions;
    this.render();
  }

  destroy(): void {
    clearInterval(this.timer);
    this.tray.destroy();
  }

  private render(): void {
    this.tray.setToolTip(trayTooltip(this.sessions));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenu(this.sessions, this.clock(), this.actions).map(toElectron)));
  }
}

function toElectron(item: TrayItem): MenuItemConstructorOptions {
  switch (item.kind) {
    case 'separator':
      return { type: 'separator' };
    case 'label':
      return { label: item.label, enabled: false };
    case 'submenu':
      return { label: item.label, submenu: item.items.map(toElectron) };
    case 'action':
      return { label: item.label, enabled: item.enabled, click: item.run };
  }
}
