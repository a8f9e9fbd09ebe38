import { execFileSync } from 'node:child_process';

/** The system Chromium (Debian's package); browsers are never downloaded. */
export function chromiumExecutable(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error("No Chromium found: install it (apt-get install chromium) or set CHROMIUM_PATH");
}
