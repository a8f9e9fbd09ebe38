import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { findBridge } from './bridge';
import { PanelProvider } from './context';
import { createPanelStore } from './store';
import './theme.css';

const bridge = findBridge();
const root = createRoot(document.getElementById('root')!);

if (bridge) {
  const store = createPanelStore(bridge);
  root.render(
    <StrictMode>
      <PanelProvider store={store} bridge={bridge}>
        <App />
      </PanelProvider>
    </StrictMode>,
  );
} else {
  root.render(
    <main className="center">
      <div className="card" role="alert">
        <h1>Blender Lab cannot reach its main process</h1>
        <p>The panel&apos;s bridge (its preload script) did not load, so nothing here would work. Reinstall Blender Lab, or start it from a terminal to see why.</p>
      </div>
    </main>,
  );
}
