import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { bridge } from './bridge';
import { PanelProvider } from './context';
import { createPanelStore } from './store';
import './theme.css';

const store = createPanelStore(bridge);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PanelProvider store={store} bridge={bridge}>
      <App />
    </PanelProvider>
  </StrictMode>,
);
