import { usePanel } from '../context';
import { describeError } from '../messages';
import type { HistoryEntry } from '../store';

export function History() {
  const history = usePanel((s) => s.history);
  return (
    <section aria-label="Command history" className="history">
      <h2>History</h2>
      {history.length === 0 && <p className="muted">Results of your commands appear here.</p>}
      <ol>
        {history.map((entry) => (
          <li key={entry.id} className={entry.ok ? 'ok' : 'failed'}>
            <div className="entry-head">
              <span>{entry.label}</span>
              <time dateTime={entry.at}>{new Date(entry.at).toLocaleTimeString()}</time>
            </div>
            <Result result={entry.result} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function Result({ result }: { result: HistoryEntry['result'] }) {
  switch (result.kind) {
    case 'image':
      return <img alt={result.alt ?? 'Viewport screenshot'} src={`data:image/png;base64,${result.base64}`} width={result.width} height={result.height} />;
    case 'text':
      return <pre className="output">{result.value || '(no output)'}</pre>;
    case 'json':
      return <pre className="output json">{JSON.stringify(result.value, null, 2)}</pre>;
    case 'error': {
      const { title, detail } = describeError(result.error);
      return (
        <p className="error-text" role="alert">
          {title}: {detail}
        </p>
      );
    }
  }
}
