import type { StartProgress } from '../../../shared/sessions';

const STEPS = ['image', 'volume', 'container', 'queue', 'booting', 'ui', 'addon', 'scene', 'ready'] as const;

export function Starting({ progress }: { progress: StartProgress }) {
  const index = Math.max(0, STEPS.indexOf(progress.step));
  const percent = progress.percent ?? Math.round(((index + 1) / STEPS.length) * 100);
  return (
    <main className="center">
      <div className="card starting">
        <h1>Blender Lab</h1>
        <div role="progressbar" aria-label="Starting your Blender" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={progress.message} className="progress">
          <div className="bar" style={{ width: `${percent}%` }} />
        </div>
        <p role="status">{progress.message}</p>
      </div>
    </main>
  );
}
