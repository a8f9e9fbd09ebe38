import { usePanel } from '../context';
import { describeError } from '../messages';

export function ErrorBanner() {
  const error = usePanel((s) => s.error);
  const dismiss = usePanel((s) => s.dismissError);
  if (!error) return null;
  const { title, detail } = describeError(error);
  return (
    <div className="error-banner" role="alert">
      <strong>{title}</strong>
      <span className="detail">{detail}</span>
      <button type="button" className="link" onClick={dismiss} aria-label="Dismiss message">
        ✕
      </button>
    </div>
  );
}
