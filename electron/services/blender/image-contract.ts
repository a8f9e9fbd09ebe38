import { AppError } from '../../../shared/errors';

/**
 * Every fact the panel and the Blender image (docker/) agree on, in one place: what it listens
 * on, where it keeps things, whom it runs as, what it is told at start and how it is signalled.
 * A change here is a change to docker/entrypoint.sh, the add-on or the Dockerfile as well.
 */
export const IMAGE_FACTS = {
  /** The add-on's JSON socket (docs/addon-protocol.md). */
  addonPort: 9876,
  /** The UI gate: noVNC's page and its websocket. */
  uiPort: 3000,
  /** The person's own volume, mounted here: their files, scenes and Blender settings. */
  home: '/home/blender',
  /** The user Blender and the helpers run as (files written in are theirs). */
  uid: 1000,
  gid: 1000,
  /** The per-start session file the entrypoint reads once and empties: `NAME='value'` lines. */
  sessionDir: '/var/lib/blender-lab',
  sessionFile: 'session.env',
  /** A tmpfs: the running container's copy of its secret, gone when it stops. */
  secretFile: '/run/blender-lab/secret',
  /** The tmpfs that holds it, the person's own and nothing else's. */
  runTmpfs: { '/run/blender-lab': 'rw,nosuid,nodev,noexec,size=64k,uid=1000,gid=1000,mode=0700' },
  /** Resizes the screen and Blender's window; prints `WIDTHxHEIGHT`. */
  fitScreen: '/opt/blender-lab/fit-screen.sh',
  /** The files helper, run isolated (-I -S) with a fixed environment. */
  filesHelper: ['/usr/bin/python3', '-I', '-S', '/opt/blender-lab/files.py'],
  /** The lab's cache of public assets, mounted read-only: the panel fills it, Blender only reads it. */
  assetCache: '/var/cache/blender-lab/assets',
  /** The image's label naming the signal that lets a container held for its turn boot Blender. */
  letInLabel: 'org.blender-lab.let-in-signal',
} as const;

/**
 * How long a stop may take: the entrypoint saves the scene on SIGTERM first. Saving a scene of
 * tens of MB takes seconds here; two minutes leaves room for far larger ones on slow disks.
 */
export const STOP_TIMEOUT_S = 120;

/** The signal a container's image says lets it in, or null for an image that cannot hold a start. */
export function letInSignal(labels: Record<string, string>): string | null {
  const signal = labels[IMAGE_FACTS.letInLabel];
  return signal && /^SIG[A-Z0-9]{2,8}$/.test(signal) ? signal : null;
}

/** What a start tells the entrypoint through the session file. */
export interface SessionFile {
  BLENDER_LAB_SECRET: string;
  BLENDER_LAB_AUTOSAVE_SECONDS: string;
  BLENDER_LAB_VERSIONS_KEPT: string;
  /** The screen's size (`WIDTHxHEIGHT`) for its first draw. */
  BLENDER_LAB_SCREEN?: string;
  /** How long a held start waits for its let-in signal. */
  BLENDER_LAB_HOLD_SECONDS?: string;
  /** A saved version to open instead of the newest good state. */
  BLENDER_LAB_OPEN?: string;
  /** A .blend of the person's own (relative to their home) to open. */
  BLENDER_LAB_OPEN_FILE?: string;
}

/** The session file's bytes, integration keys first; values are single-quoted so nothing in them runs when sourced. */
export function sessionFileText(keys: Record<string, string>, file: SessionFile): Buffer {
  const lines = Object.entries({ ...keys, ...file }).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new AppError('INVALID_INPUT', `Bad environment name ${name}`);
    return `${name}='${String(value).replace(/'/g, `'\\''`)}'`;
  });
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** A published addon/ui pair read from a container's ports, or null when either is missing. */
export function publishedPair(ports: Record<number, number>): { addon: number; ui: number } | null {
  const addon = ports[IMAGE_FACTS.addonPort];
  const ui = ports[IMAGE_FACTS.uiPort];
  return addon && ui ? { addon, ui } : null;
}
