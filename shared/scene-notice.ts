import type { OpenedScene } from './blender';
import type { SceneNotice } from './sessions';

/** "14:02:31 UTC on 25 Nov": an ISO time a person can read. */
function when(iso: string | null | undefined): string {
  if (!iso) return 'an unknown time';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'an unknown time';
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC on ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

/** What to tell the person about the scene a start opened; null when it was simply their last save. */
export function sceneNotice(opened: OpenedScene | null): SceneNotice | null {
  if (!opened) return null;
  if (opened.kind === 'file') return { kind: 'chosen', at: opened.at, message: `Opened ${opened.name} from your files.` };
  const ownFile = opened.skipped.find((s) => s.kind === 'file');
  if (ownFile) return { kind: 'fallback', at: opened.at, message: `${ownFile.name} could not be opened (${ownFile.why}); your last saved state is open instead.` };
  const damaged = opened.skipped.filter((s) => s.why !== 'no such saved version');
  const passedOver = damaged.map((s) => `${s.name}${s.at ? ` (${when(s.at)})` : ''} is ${s.why}`).join('; ');
  if (opened.kind === 'none') {
    return damaged.length ? { kind: 'lost', at: null, message: `No saved state could be opened (${passedOver}); Blender started with a new scene.` } : null;
  }
  if (damaged.length) {
    return { kind: 'fallback', at: opened.at, message: `Your newest saved state could not be opened (${passedOver}). Opened the one from ${when(opened.at)} instead.` };
  }
  if (opened.requested) return { kind: 'chosen', at: opened.at, message: `Opened your saved version from ${when(opened.at)}.` };
  if (opened.kind === 'autosave') {
    return { kind: 'recovered', at: opened.at, message: `Blender ended without saving last time. Recovered your work from the autosave of ${when(opened.at)}.` };
  }
  return null;
}
