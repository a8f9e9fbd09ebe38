/** What the preload exposes on `window.blenderLab`. */
export interface PanelInfo {
  platform: string;
  versions: { electron: string };
}

export interface PanelApi {
  info: PanelInfo;
}
