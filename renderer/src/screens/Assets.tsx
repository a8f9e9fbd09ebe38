import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AssetProgress, AssetSummary, PolyHavenType, SourceStatus } from '../../../shared/assets';
import { AssetTile, usePictureLoaders, type Outcome } from '../components/AssetTile';
import { Page } from '../components/Page';
import { useBridge } from '../context';
import { GenerateModel } from './GenerateModel';
import { SketchfabModels } from './SketchfabModels';

const KINDS: { type: PolyHavenType; label: string; action: string }[] = [
  { type: 'hdris', label: 'HDRIs', action: 'Use as world' },
  { type: 'textures', label: 'Textures', action: 'Apply to selected' },
  { type: 'models', label: 'Models', action: 'Add to scene' },
];
const RESOLUTIONS = ['1k', '2k', '4k', '8k'];
/** Cards listed at once; the search box narrows them. */
const LISTED = 60;


/** PolyHaven's free assets (CC0), to look at and add to your own Blender. */
export function Assets() {
  const bridge = useBridge();
  const [kind, setKind] = useState<PolyHavenType | 'sketchfab' | 'generate'>('hdris');
  const [status, setStatus] = useState<SourceStatus | null>(null);
  const [assets, setAssets] = useState<AssetSummary[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [resolution, setResolution] = useState('1k');
  const [progress, setProgress] = useState<Record<string, AssetProgress>>({});
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});

  useEffect(() => {
    void bridge.api['assets.polyhavenStatus']({}).then((r) => setStatus(r.ok ? r.value : { enabled: false, message: r.error.message }));
    return bridge.on('assets.progress', (p) => setProgress((all) => ({ ...all, [p.assetId]: p })));
  }, [bridge]);

  useEffect(() => {
    setAssets(null);
    setProblem(null);
    if (kind === 'sketchfab' || kind === 'generate') return;
    void bridge.api['assets.polyhavenSearch']({ assetType: kind, limit: 200 }).then((r) => (r.ok ? setAssets(r.value.assets) : setProblem(r.error.message)));
  }, [bridge, kind]);

  const pictureOf = usePictureLoaders(async (id) => {
    const r = await bridge.api['assets.polyhavenThumbnail']({ assetId: id });
    return r.ok ? r.value : null;
  });

  const shown = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (a: AssetSummary) => words.every((w) => [a.name, a.id, ...a.categories, ...a.authors].some((field) => field.toLowerCase().includes(w)));
    return (assets ?? []).filter(matches).slice(0, LISTED);
  }, [assets, query]);

  const add = useCallback(
    async (asset: AssetSummary) => {
      setOutcomes((all) => ({ ...all, [asset.id]: { ok: true, text: 'Starting…', busy: true } }));
      const reply = await bridge.api['assets.polyhavenDownload']({ assetId: asset.id, assetType: asset.type, resolution, applyToSelected: asset.type === 'textures' });
      setProgress(({ [asset.id]: _done, ...rest }) => rest);
      setOutcomes((all) => ({ ...all, [asset.id]: reply.ok ? { ok: true, text: reply.value.message + (reply.value.cached ? ' (from the lab\'s cache)' : '') } : { ok: false, text: reply.error.message } }));
    },
    [bridge, resolution],
  );

  const tabs = (
    <div role="tablist" aria-label="Asset kinds" className="tabs">
      {KINDS.map((k) => (
        <button key={k.type} type="button" role="tab" aria-selected={kind === k.type} className={kind === k.type ? 'tab active' : 'tab'} onClick={() => setKind(k.type)}>
          PolyHaven {k.label}
        </button>
      ))}
      <button type="button" role="tab" aria-selected={kind === 'sketchfab'} className={kind === 'sketchfab' ? 'tab active' : 'tab'} onClick={() => setKind('sketchfab')}>
        Sketchfab
      </button>
      <button type="button" role="tab" aria-selected={kind === 'generate'} className={kind === 'generate' ? 'tab active' : 'tab'} onClick={() => setKind('generate')}>
        Generate
      </button>
    </div>
  );
  if (kind === 'generate') {
    return (
      <Page title="Assets">
        {tabs}
        <GenerateModel />
      </Page>
    );
  }
  if (kind === 'sketchfab') {
    return (
      <Page title="Assets">
        {tabs}
        <SketchfabModels progress={progress} />
      </Page>
    );
  }
  const action = KINDS.find((k) => k.type === kind)!.action;
  return (
    <Page title="Assets">
      <p className="muted">Free HDRIs, textures and models from PolyHaven (CC0: use them for anything). Each is fetched once for the lab, then added to your Blender from its cache.</p>
      {status && !status.enabled && <p role="alert" className="error">{status.message}</p>}
      {tabs}
      <div className="inline-form" role="search">
        <label>
          Search
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name, category or author" />
        </label>
        <label>
          Resolution
          <select value={resolution} onChange={(e) => setResolution(e.target.value)}>
            {RESOLUTIONS.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
      </div>
      {problem && <p role="alert" className="error">{problem}</p>}
      {!assets && !problem && <p className="muted">Loading PolyHaven&apos;s {KINDS.find((k) => k.type === kind)!.label.toLowerCase()}…</p>}
      {assets && (
        <p className="muted" aria-live="polite">
          {shown.length} of {assets.length} shown
        </p>
      )}
      <ul className="asset-grid" aria-label="Assets">
        {shown.map((asset) => (
          <AssetTile
            key={asset.id}
            name={asset.name}
            credit={`${asset.license} · by ${asset.authors.join(', ') || 'PolyHaven'}`}
            action={action}
            picture={pictureOf(asset.id)}
            progress={progress[asset.id]}
            outcome={outcomes[asset.id]}
            onAct={() => void add(asset)}
          />
        ))}
      </ul>
    </Page>
  );
}
