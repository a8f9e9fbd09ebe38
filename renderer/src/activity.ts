import { useEffect } from 'react';
import type { PanelStore } from './store';

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
/** What the Blender view (blender-lab.html) posts to the panel on input inside the frame. */
export const FRAME_ACTIVITY = 'blender-lab:activity';
/** What it posts once text its Blender copied is on the seat's clipboard: the text's SHA-256, never the text. */
export const FRAME_COPIED = 'blender-lab:copied';
/** What the panel tells a Blender view as it loads: digests of text other people's Blenders copied here. */
export const FRAME_OTHERS_COPIES = 'blender-lab:others-copies';

/** Reports a person's input, in the panel and in their Blender frame, while someone is signed in. */
export function useActivityReporting(store: PanelStore): void {
  useEffect(() => {
    const report = () => store.getState().reportActivity();
    const fromFrame = (event: MessageEvent) => {
      const address = store.getState().blenderAddress;
      if (!address || event.origin !== new URL(address).origin) return;
      if (event.data === FRAME_ACTIVITY) report();
      else if (event.data?.type === FRAME_COPIED && typeof event.data.digest === 'string') store.getState().copiedFromBlender(event.data.digest);
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, report, { capture: true, passive: true });
    window.addEventListener('message', fromFrame);
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, report, { capture: true });
      window.removeEventListener('message', fromFrame);
    };
  }, [store]);
}
