import { useEffect, useRef } from 'react';
import { usePanel } from '../context';
import { useNow } from './Header';

/** The warning a minute before an idle sign-in ends. */
export function StillThere() {
  const expiresAt = usePanel((s) => s.expiresAt);
  return expiresAt ? <Warning expiresAt={expiresAt} /> : null;
}

function Warning({ expiresAt }: { expiresAt: string }) {
  const stay = usePanel((s) => s.stay);
  const button = useRef<HTMLButtonElement>(null);
  const now = useNow();
  useEffect(() => button.current?.focus(), []);
  const seconds = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
  return (
    <div className="overlay">
      <div className="card" role="alertdialog" aria-modal="true" aria-labelledby="still-there-title" aria-describedby="still-there-text">
        <h2 id="still-there-title">Still there?</h2>
        <p id="still-there-text">Nobody has used the panel for a while. You will be signed out in {seconds} s; your Blender keeps running.</p>
        <button ref={button} type="button" className="primary" onClick={() => void stay()}>
          Stay signed in
        </button>
      </div>
    </div>
  );
}
