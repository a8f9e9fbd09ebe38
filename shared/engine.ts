/** Where the Blenders run, as an administrator sees it in Settings: plain data. */
import type { Settings } from './settings';

/** The settings that decide which engine the panel drives, and how it reaches it: changing one moves the panel to it. */
export const ENGINE_SETTINGS = ['dockerEndpoint', 'tlsCaPath', 'tlsCertPath', 'tlsKeyPath', 'sshKeyPath', 'publishAddress'] as const satisfies readonly (keyof Settings)[];

export type EngineKind = 'local' | 'ssh' | 'tls';

export interface EngineMove {
  at: string;
  from: string;
  to: string;
  /** Blenders stopped for the move. */
  stopped: number;
  /** Whose scene could not be saved first, and why. */
  notSaved: { username: string; message: string }[];
}

export interface EngineStatus {
  /** As configured; empty: this machine's engine (or DOCKER_HOST). */
  endpoint: string;
  kind: EngineKind;
  reachable: boolean;
  problem: string | null;
  /** The SSH host key the panel refused: an administrator may accept exactly it, after checking the fingerprint on the server. */
  untrustedHostKey: { type: string; fingerprint: string } | null;
  lastMove: EngineMove | null;
}
