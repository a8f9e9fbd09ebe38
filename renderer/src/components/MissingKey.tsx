import { usePanel } from '../context';

/** A source that needs a key of the person's own: why it cannot be used yet, and the way to Keys. */
export function MissingKey({ message }: { message: string }) {
  const setView = usePanel((s) => s.setView);
  return (
    <div role="alert" className="notice">
      <p>{message}</p>
      <button type="button" onClick={() => setView('keys')}>
        Go to Keys
      </button>
    </div>
  );
}
