import { useEffect, useRef } from 'react';
import type { PanelBridge } from '../../shared/api';
import { SCREEN_LIMITS } from '../../shared/sessions';

/** Quiet time after the last resize before Blender's screen follows (a window drag sends many). */
const SETTLE_MS = 250;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/**
 * Keeps Blender's screen the size of the element showing it, so it is drawn 1:1 rather than
 * scaled. Beyond the sizes a screen can take, the frame scales what it gets.
 */
export function useFitScreen(bridge: PanelBridge, element: HTMLElement | null, active: boolean, address: string | null): void {
  const sent = useRef<string | null>(null);
  useEffect(() => {
    sent.current = null; // a new Blender (new address) starts at its own size
    if (!element || !active) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const fit = () => {
      const width = clamp(element.clientWidth, SCREEN_LIMITS.minWidth, SCREEN_LIMITS.maxWidth);
      const height = clamp(element.clientHeight, SCREEN_LIMITS.minHeight, SCREEN_LIMITS.maxHeight);
      const size = `${width}x${height}`;
      if (size === sent.current || !element.clientWidth || !element.clientHeight) return;
      sent.current = size;
      void bridge.api['session.fitScreen']({ width, height }).then((reply) => {
        if (!reply.ok) sent.current = null; // scaled meanwhile; the next resize tries again
      });
    };
    const observer = new ResizeObserver(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fit, SETTLE_MS);
    });
    observer.observe(element);
    fit();
    return () => {
      observer.disconnect();
      if (timer) clearTimeout(timer);
    };
  }, [bridge, element, active, address]);
}
