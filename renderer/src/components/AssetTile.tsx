import { useEffect, useMemo, useState } from 'react';
import type { AssetProgress } from '../../../shared/assets';

export type Outcome = { ok: boolean; text: string; busy?: boolean };

/** One asset in a grid: its picture (fetched by main), name and credit, one button, and how its download is going. */
export function AssetTile(props: {
  name: string;
  credit: string;
  action: string;
  disabled?: boolean;
  picture: () => Promise<string | null>;
  progress?: AssetProgress;
  outcome?: Outcome;
  onAct: () => void;
}) {
  const { name, credit, action, disabled, picture, progress, outcome, onAct } = props;
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void picture().then((url) => live && setSrc(url));
    return () => {
      live = false;
    };
  }, [picture]);
  const percent = progress && progress.total > 0 ? Math.round((progress.bytes / progress.total) * 100) : null;
  return (
    <li className="asset-card" aria-label={name}>
      {src ? <img src={src} alt={`${name} preview`} width={160} height={90} /> : <div className="asset-placeholder" aria-hidden="true" />}
      <strong>{name}</strong>
      <span className="muted small">{credit}</span>
      <button type="button" disabled={disabled || outcome?.busy} aria-label={`${action}: ${name}`} onClick={onAct}>
        {action}
      </button>
      {outcome?.busy && percent !== null && <progress max={100} value={percent} aria-label={`Downloading ${name}`} />}
      {outcome?.busy && progress && <span className="muted small">{progress.message}</span>}
      {outcome && !outcome.busy && (
        <span role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'small' : 'small error'}>
          {outcome.text}
        </span>
      )}
    </li>
  );
}

/** One picture loader per asset, the same across renders, so a tile asks main for its picture once. */
export function usePictureLoaders(load: (key: string) => Promise<string | null>): (key: string) => () => Promise<string | null> {
  return useMemo(() => {
    const loaders = new Map<string, () => Promise<string | null>>();
    return (key: string) => {
      if (!loaders.has(key)) loaders.set(key, () => load(key));
      return loaders.get(key)!;
    };
    // Made once: `load` reaches main through the bridge, which is the panel's for its whole life.
  }, []);
}
