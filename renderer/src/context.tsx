import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { PanelBridge } from '../../shared/api';
import type { PanelState, PanelStore } from './store';

const StoreContext = createContext<{ store: PanelStore; bridge: PanelBridge } | null>(null);

/**
 * Screens reach main only through the store's API, so that a reply for a sign-in that is over is
 * dropped and NOT_SIGNED_IN ends the sign-in, whichever screen made the call.
 */
export function PanelProvider({ store, bridge, children }: { store: PanelStore; bridge: PanelBridge; children: ReactNode }) {
  const value = useMemo(() => ({ store, bridge: { api: store.getState().api, on: bridge.on.bind(bridge) } }), [store, bridge]);
  return <StoreContext.Provider value={value}>{children}</StoreContext.Provider>;
}

export function usePanel<T>(select: (state: PanelState) => T): T {
  const value = useContext(StoreContext);
  if (!value) throw new Error('usePanel outside PanelProvider');
  return useStore(value.store, select);
}

export function useStoreApi(): PanelStore {
  const value = useContext(StoreContext);
  if (!value) throw new Error('useStoreApi outside PanelProvider');
  return value.store;
}

export function useBridge(): PanelBridge {
  const value = useContext(StoreContext);
  if (!value) throw new Error('useBridge outside PanelProvider');
  return value.bridge;
}
