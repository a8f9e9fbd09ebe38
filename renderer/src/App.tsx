import { useEffect } from 'react';
import { useActivityReporting } from './activity';
import { StillThere } from './components/StillThere';
import { usePanel, useStoreApi } from './context';
import { Account } from './screens/Account';
import { Admin } from './screens/Admin';
import { AiClients } from './screens/AiClients';
import { Files } from './screens/Files';
import { Keys } from './screens/Keys';
import { Assets } from './screens/Assets';
import { SignIn } from './screens/SignIn';
import { Starting } from './screens/Starting';
import { Workspace } from './screens/Workspace';

export function App() {
  const ready = usePanel((s) => s.ready);
  const user = usePanel((s) => s.user);
  const progress = usePanel((s) => s.progress);
  const view = usePanel((s) => s.view);
  const init = usePanel((s) => s.init);
  useActivityReporting(useStoreApi());

  useEffect(() => {
    void init();
  }, [init]);

  if (!ready) return <main className="center" aria-busy="true" />;
  if (progress) return <Starting progress={progress} />;
  if (!user) return <SignIn />;
  return (
    <>
      {view === 'admin' && user.role === 'admin' ? <Admin /> : view === 'files' ? <Files /> : view === 'assets' ? <Assets /> : view === 'keys' ? <Keys /> : view === 'ai' ? <AiClients /> : view === 'account' ? <Account /> : <Workspace />}
      <StillThere />
    </>
  );
}
