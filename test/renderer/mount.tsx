import { render, screen } from '@testing-library/react';
import { App } from '../../renderer/src/App';
import { PanelProvider } from '../../renderer/src/context';
import { createPanelStore } from '../../renderer/src/store';
import type { User } from '../../shared/accounts';
import { bob, fakeBridge, sessionOf } from './fake-bridge';

type Setup = (f: ReturnType<typeof fakeBridge>) => void;

/** The whole panel over a scripted bridge (nobody signed in unless `setup` says so); `now` is the store's clock. */
export function mountPanel(setup: Setup = () => {}, now?: () => number) {
  const f = fakeBridge();
  f.answer('auth.whoAmI', null);
  setup(f);
  const store = createPanelStore(f.bridge, now);
  render(
    <PanelProvider store={store} bridge={f.bridge}>
      <App />
    </PanelProvider>,
  );
  return { ...f, store };
}

/** The panel with `user` signed in and their Blender shown; `setup` may answer more, or differently. */
export async function mountSignedIn(user: User = bob, setup: Setup = () => {}, now?: () => number) {
  const f = mountPanel((f) => {
    f.answer('auth.whoAmI', user);
    f.answer('session.mine', sessionOf(user));
    setup(f);
  }, now);
  await screen.findByTitle('Blender');
  return f;
}
