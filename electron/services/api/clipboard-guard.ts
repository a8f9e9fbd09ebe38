import { createHash } from 'node:crypto';

/** The seat's own clipboard (Electron's in the desktop app); headless mode has none of its own. */
export interface SeatClipboard {
  readText(): Promise<string>;
  clear(): void;
}

/** Digests remembered per sign-in: enough for every copy a person makes, bounded whatever a frame reports. */
const MAX_COPIES_PER_SIGN_IN = 64;

export const clipboardDigest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * What each sign-in's Blender copied onto the seat's clipboard, as digests (never the text): when
 * the sign-in ends, the clipboard is cleared if it still holds one of them, so the next person at
 * the seat does not find the last person's text there. Text the person copied from elsewhere stays.
 */
export class ClipboardGuard {
  private readonly copies = new Map<string, string[]>();

  constructor(private readonly clipboard: SeatClipboard | null) {}

  remember(signInToken: string, digest: string): void {
    const own = this.copies.get(signInToken) ?? [];
    if (own.includes(digest)) return;
    own.push(digest);
    if (own.length > MAX_COPIES_PER_SIGN_IN) own.shift();
    this.copies.set(signInToken, own);
  }

  /** The sign-in is over. */
  async forget(signInToken: string): Promise<void> {
    const own = this.copies.get(signInToken);
    this.copies.delete(signInToken);
    if (!own || !this.clipboard) return;
    try {
      if (own.includes(clipboardDigest(await this.clipboard.readText()))) this.clipboard.clear();
    } catch (error) {
      console.error(`[clipboard] could not check the seat's clipboard: ${(error as Error).message}`);
    }
  }
}
