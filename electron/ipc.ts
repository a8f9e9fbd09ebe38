import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { METHOD_NAMES, type Reply } from '../shared/api';
import type { ApiConnection, ApiServer } from './services/api/api-server';

/**
 * The one place IPC enters main: every method gets a handler that checks the sender is our
 * window, then hands the call to the API server (which validates input and authorizes).
 * Each window has its own connection, and so its own sign-in.
 */
export function registerApi(ipcMain: IpcMain, api: ApiServer, isTrustedSender: (sender: WebContents, frameUrl: string) => boolean): void {
  const connections = new Map<number, ApiConnection>();

  const connectionFor = (sender: WebContents): ApiConnection => {
    let connection = connections.get(sender.id);
    if (!connection) {
      connection = api.connect((event, payload) => {
        if (!sender.isDestroyed()) sender.send(`event:${event}`, payload);
      });
      connections.set(sender.id, connection);
      sender.once('destroyed', () => {
        connections.get(sender.id)?.close();
        connections.delete(sender.id);
      });
    }
    return connection;
  };

  for (const method of METHOD_NAMES) {
    ipcMain.handle(`api:${method}`, async (event: IpcMainInvokeEvent, input: unknown): Promise<Reply<typeof method>> => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!isTrustedSender(event.sender, frameUrl)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted from the panel window only' } };
      }
      return connectionFor(event.sender).call(method, input);
    });
  }
}
