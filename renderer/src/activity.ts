import { useEffect } from 'react';
import type { PanelStore } from './store';

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
/** What the Blender view (blender-lab.html) posts to the panel on input inside the frame. */
export const FRAME_ACTIVITY = 'blender-lab:activity';

/** Reports a person's input, in the panel and in their Blender frame, while someone is signed in. */
export function useActivityReporting(store: PanelStore): void {
  useEffect(() => {
    const report = () => store.getState().reportActivity();
    const fromFrame = (event: MessageEvent) => {
      const address = store.getState().blenderAddress;
      if (event.data === FRAME_ACTIVITY && address && event.origin === new URL(address).origin) report();
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, report, { capture: true, passive: true });
    window.addEventListener('message', fromFrame);
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, report, { capture: true });
      window.removeEventListener('message', fromFrame);
    };
  }, [store]);
}
