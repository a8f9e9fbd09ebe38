import { useState } from 'react';
import type { SavedStates } from '../../../shared/blender';
import { describeError } from '../messages';
import { useBridge, usePanel } from '../context';

export function readableTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function readableSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The person's saved states: the newest few saves and the autosave, each openable. */
export function Versions() {
  const bridge = useBridge();
  const ready = usePanel((s) => s.session?.state === 'ready');
  const openVersion = usePanel((s) => s.openVersion);
  const [states, setStates] = useState<SavedStates | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = async () => {
    const reply = await bridge.api['session.versions']({});
    if (reply.ok) {
      setStates(reply.value);
      setProblem(null);
    } else setProblem(describeError(reply.error).detail);
  };

  return (
    <section className="versions" aria-label="Saved versions">
      <button type="button" disabled={!ready} onClick={() => void load()}>
        {states ? 'Refresh versions' : 'Saved versions'}
      </button>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {states && (
        <ul>
          {states.autosave && (
            <li>
              Autosave, {readableTime(states.autosave.at)} · {readableSize(states.autosave.bytes)}
            </li>
          )}
          {states.versions.map((v, i) => (
            <li key={v.name}>
              {i === 0 ? 'Last save' : 'Saved'}, {readableTime(v.at)} · {readableSize(v.bytes)}{' '}
              <button type="button" className="link" aria-label={`Open the version saved ${readableTime(v.at)}`} onClick={() => void openVersion(v.name)}>
                Open
              </button>
            </li>
          ))}
          {states.versions.length === 0 && <li className="muted">No saved versions yet: one is made every time Blender stops.</li>}
        </ul>
      )}
    </section>
  );
}
