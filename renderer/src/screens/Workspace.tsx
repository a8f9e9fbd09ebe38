import { useEffect, useState, type FormEvent } from 'react';
import { ErrorBanner } from '../components/ErrorBanner';
import { Header, useNow } from '../components/Header';
import { History } from '../components/History';
import { Versions } from '../components/Versions';
import { FRAME_OTHERS_COPIES } from '../activity';
import { useBridge, usePanel } from '../context';
import { useFitScreen } from '../fit-screen';
import { showsBlender } from '../../../shared/sessions';

export function Workspace() {
  const session = usePanel((s) => s.session);
  const address = usePanel((s) => s.blenderAddress);
  const startAgain = usePanel((s) => s.startAgain);
  const othersCopies = usePanel((s) => s.othersCopies);
  const bridge = useBridge();
  const [screen, setScreen] = useState<HTMLElement | null>(null);
  const [fullScreen, setFullScreen] = useState(false);
  const showing = !!session && showsBlender(session.state) && !!address;
  useFitScreen(bridge, screen, showing, address);

  useEffect(() => {
    const changed = () => setFullScreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }, []);

  return (
    <div className="workspace">
      <Header />
      <ErrorBanner />
      <SceneNotice />
      {session?.state === 'reconnecting' && (
        <p className="notice" role="status">
          The connection to the Docker engine was lost; it is being made again. Your Blender runs on and nothing is lost.
        </p>
      )}
      <div className="work-area">
        <section className="blender" aria-label="Your Blender" ref={setScreen}>
          {showing ? (
            <>
              <iframe
                title="Blender"
                src={address}
                allow="clipboard-read; clipboard-write"
                // Before the person can paste: which clipboard text came from other people's Blenders.
                onLoad={(e) => e.currentTarget.contentWindow?.postMessage({ type: FRAME_OTHERS_COPIES, digests: othersCopies() }, new URL(address).origin)}
              />
              {fullScreen && (
                <button type="button" className="leave-full-screen" onClick={() => void document.exitFullscreen()}>
                  Exit full screen
                </button>
              )}
            </>
          ) : (
            <div className="stopped-note" role="status">
              <p>
                {session?.state === 'failed' ? 'Your Blender could not run' : `Your Blender is ${session?.state ?? 'stopped'}`}
                {session?.reason ? `: ${session.reason.split('\n')[0]}` : '.'}
              </p>
              {session?.reason?.includes('\n') && <pre className="log">{session.reason.split('\n').slice(1).join('\n')}</pre>}
              <button type="button" className="primary" onClick={() => void startAgain()}>
                Start Blender
              </button>
            </div>
          )}
        </section>
        <CommandPanel onFullScreen={showing && screen ? () => void screen.requestFullscreen().catch(() => {}) : null} />
      </div>
    </div>
  );
}

function CommandPanel({ onFullScreen }: { onFullScreen: (() => void) | null }) {
  const ready = usePanel((s) => s.session?.state === 'ready');
  const running = usePanel((s) => s.running);
  const sceneInfo = usePanel((s) => s.sceneInfo);
  const screenshot = usePanel((s) => s.screenshot);
  const render = usePanel((s) => s.render);
  const runPython = usePanel((s) => s.runPython);
  const [code, setCode] = useState('import bpy\nprint([o.name for o in bpy.data.objects])');
  const busy = !ready || running !== null;

  const run = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) void runPython(code);
  };

  return (
    <aside className="commands" aria-label="Commands">
      <div className="row">
        <button type="button" disabled={busy} onClick={() => void sceneInfo()}>
          Scene info
        </button>
        <button type="button" disabled={busy} onClick={() => void screenshot()}>
          Screenshot
        </button>
        <button type="button" disabled={busy} onClick={() => void render()} title="Renders the camera view into renders/ in your files">
          Render
        </button>
        <button type="button" disabled={!onFullScreen} onClick={() => onFullScreen?.()} title="Blender fills the screen; Esc or Exit full screen comes back">
          Full screen
        </button>
      </div>
      <form onSubmit={run} className="python">
        <label htmlFor="python-code">Python code</label>
        <textarea
          id="python-code"
          spellCheck={false}
          rows={6}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(e);
          }}
        />
        <button type="submit" className="primary" disabled={busy}>
          Run
        </button>
      </form>
      {running && <Running label={running} />}
      <Versions />
      <History />
    </aside>
  );
}

/** What is running, and for how long: a render can take minutes and must not look stuck. */
function Running({ label }: { label: string }) {
  const [since] = useState(() => Date.now());
  const now = useNow();
  const seconds = Math.floor((now - since) / 1000);
  return (
    <p role="status" className="muted">
      Running {label}…{seconds >= 2 ? ` ${seconds} s` : ''}
    </p>
  );
}

/** What this start opened, when it was not simply the last save (a recovery, a fallback, a chosen version). */
function SceneNotice() {
  const scene = usePanel((s) => s.session?.scene ?? null);
  const startedAt = usePanel((s) => s.session?.startedAt ?? null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!scene || dismissed === startedAt) return null;
  return (
    <div className={`scene-notice scene-${scene.kind}`} role="status">
      <span>{scene.message}</span>
      <button type="button" className="link" onClick={() => setDismissed(startedAt)}>
        Dismiss
      </button>
    </div>
  );
}
