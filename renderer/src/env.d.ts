import type { PanelApi } from '../../shared/panel';

declare global {
  interface Window {
    blenderLab: PanelApi;
  }
}
