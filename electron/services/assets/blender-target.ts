import type { BlenderCommand, BlenderParams, BlenderResult } from '../../../shared/blender';

/** The person's Blender, as far as adding an asset to it goes (the session service is one). */
export interface BlenderTarget {
  /** Throws SESSION_NOT_READY, in words, when the person's Blender is not running. */
  runningContainer(userId: string): string;
  command<C extends BlenderCommand>(userId: string, command: C, params: BlenderParams<C>): Promise<BlenderResult<C>>;
}

/** The person's home, for what is staged there for their add-on (the files service is one). */
export interface HomeTarget {
  /** Removes a path of the person's home (relative to it). */
  removeFromHome(userId: string, relative: string): Promise<void>;
  /** A file of the person's home (relative to it), at most `maxBytes`; `purpose` ends the refusal of a larger one ("too large to send"). */
  readFromHome(userId: string, relative: string, maxBytes: number, purpose?: string): Promise<Buffer>;
}
