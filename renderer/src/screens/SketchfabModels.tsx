import { useEffect, useState, type FormEvent } from 'react';
import type { AssetProgress, SketchfabModel, SourceStatus } from '../../../shared/assets';
import { AssetTile, usePictureLoaders, type Outcome } from '../components/AssetTile';
import { MissingKey } from '../components/MissingKey';
import { useBridge } from '../context';

/** Sketchfab's models, searched with the person's own key and added to their Blender at a chosen size. */
export function SketchfabModels({ progress }: { progress: Record<string, AssetProgress> }) {
  const bridge = useBridge();
  const [status, setStatus] = useState<SourceStatus | null>(null);
  const [query, setQuery] = useState('');
  const [size, setSize] = useState('1');
  const [models, setModels] = useState<SketchfabModel[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});

  useEffect(() => {
    void bridge.api['assets.sketchfabStatus']({}).then((r) => setStatus(r.ok ? r.value : { enabled: false, message: r.error.message }));
  }, [bridge]);

  const pictureOf = usePictureLoaders(async (uid) => {
    const r = await bridge.api['assets.sketchfabThumbnail']({ uid });
    return r.ok ? r.value : null;
  });

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const reply = await bridge.api['assets.sketchfabSearch']({ query: query.trim() });
    if (reply.ok) setModels(reply.value.models);
    else setProblem(reply.error.message);
  };

  const add = async (model: SketchfabModel) => {
    setOutcomes((all) => ({ ...all, [model.uid]: { ok: true, text: 'Starting…', busy: true } }));
    const reply = await bridge.api['assets.sketchfabDownload']({ uid: model.uid, targetSize: Number(size) || 1 });
    setOutcomes((all) => ({ ...all, [model.uid]: reply.ok ? { ok: true, text: `${reply.value.message} (${reply.value.dimensions.join(' × ')} m)` } : { ok: false, text: reply.error.message } }));
  };

  if (status && !status.enabled) return <MissingKey message={status.message} />;
  return (
    <>
      <p className="muted">Models from Sketchfab, with your own key. Each has its own licence, shown with it: keep to it.</p>
      <form className="inline-form" role="search" onSubmit={(e) => void search(e)}>
        <label>
          Search Sketchfab
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="chair, tree, car…" />
        </label>
        <label>
          Largest side (metres)
          <input type="number" min="0.01" step="0.01" value={size} onChange={(e) => setSize(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={!query.trim()}>
          Search
        </button>
      </form>
      {problem && <p role="alert" className="error">{problem}</p>}
      {models && <p className="muted" aria-live="polite">{models.length} found</p>}
      <ul className="asset-grid" aria-label="Models">
        {(models ?? []).map((m) => (
          <AssetTile
            key={m.uid}
            name={m.name}
            credit={`${m.license} · by ${m.author}`}
            action="Add to scene"
            disabled={!m.downloadable}
            picture={pictureOf(m.uid)}
            progress={progress[m.uid]}
            outcome={outcomes[m.uid]}
            onAct={() => void add(m)}
          />
        ))}
      </ul>
    </>
  );
}
