import type { Dialog } from 'electron';

export interface QuitDeps {
  dialog: Pick<Dialog, 'showMessageBox'>;
  runningSessions: () => number;
  stopAll: () => Promise<void>;
  dispose: () => Promise<void>;
  exit: () => void;
}

/**
 * Quitting asks what to do with running sessions: stop them (each saves its scene first), or
 * leave them running for the next start of the panel to adopt. Returns false if the person cancels.
 */
export async function quitSequence(deps: QuitDeps): Promise<boolean> {
  const running = deps.runningSessions();
  if (running > 0) {
    const { response } = await deps.dialog.showMessageBox({
      type: 'question',
      title: 'Quit Blender Lab',
      message: `${running} Blender session${running === 1 ? ' is' : 's are'} still running.`,
      detail: 'Stopping saves each open scene first. Sessions left running are picked up again the next time the panel starts.',
      buttons: ['Stop sessions and quit', 'Leave them running and quit', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
    });
    if (response === 2) return false;
    if (response === 0) await deps.stopAll();
  }
  await deps.dispose();
  deps.exit();
  return true;
}
