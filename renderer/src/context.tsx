import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { PanelBridge } from '../../shared/api';
import type { PanelState, PanelStore } from './store';

const StoreContext = createContext<{ store: PanelStore; bridge: PanelBridge } | null>(null);

export function PanelProvider({ store, bridge, children }: { store: PanelStore; bridge: PanelBridge; children: ReactNode }) {
  return <StoreContext.Provider value={{ store, bridge }}>{children}</StoreContext.Provider>;
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
