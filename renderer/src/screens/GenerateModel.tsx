import { useEffect, useState, type FormEvent } from 'react';
import type { SourceStatus } from '../../../shared/assets';
import type { PanelApi } from '../../../shared/api';
import { MissingKey } from '../components/MissingKey';
import { useBridge } from '../context';

/** How often a generation is asked about while it runs. */
const POLL_MS = 3000;

/** Where a generation stands, the same for every generator: running, done (with what to import), or failed. */
type Standing = { state: 'running'; done: number; of: number } | { state: 'done'; result: string } | { state: 'failed'; why: string };

/** What the Generate tab needs of a generator; Hyper3D Rodin and Hunyuan3D each speak their own API behind it. */
interface Generator {
  label: string;
  status(api: PanelApi): Promise<SourceStatus>;
  /** Starts a generation; resolves with what it is polled by. */
  start(api: PanelApi, input: { prompt?: string; picture?: string }): Promise<{ poll: string; task: string } | string>;
  poll(api: PanelApi, by: string, task: string): Promise<Standing | string>;
  import(api: PanelApi, name: string, result: string): Promise<string>;
}

const replyOf = async <T,>(reply: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T | string> => {
  const r = await reply;
  return r.ok ? r.value : r.error.message;
};

const GENERATORS: Record<'rodin' | 'hunyuan', Generator> = {
  rodin: {
    label: 'Hyper3D Rodin',
    status: async (api) => { const r = await api['assets.hyper3dStatus']({}); return r.ok ? r.value : { enabled: false, message: r.error.message }; },
    start: async (api, { prompt, picture }) => {
      const r = await replyOf(api['assets.hyper3dGenerate'](prompt ? { prompt } : { imagePaths: [picture!] }));
      return typeof r === 'string' ? r : { poll: r.subscription_key, task: r.task_uuid };
    },
    poll: async (api, by, task) => {
      const r = await replyOf(api['assets.hyper3dPoll']({ subscriptionKey: by }));
      if (typeof r === 'string') return r;
      const done = r.status_list.filter((s) => s === 'Done').length;
      if (r.status_list.includes('Failed')) return { state: 'failed', why: 'The generation failed.' };
      return done === r.status_list.length && done > 0 ? { state: 'done', result: task } : { state: 'running', done, of: r.status_list.length };
    },
    import: async (api, name, result) => {
      const r = await replyOf(api['assets.hyper3dImport']({ name, taskUuid: result }));
      return typeof r === 'string' ? r : `${r.name} is in your scene`;
    },
  },
  hunyuan: {
    label: 'Hunyuan3D',
    status: async (api) => { const r = await api['assets.hunyuanStatus']({}); return r.ok ? r.value : { enabled: false, message: r.error.message }; },
    start: async (api, { prompt, picture }) => {
      const r = await replyOf(api['assets.hunyuanGenerate'](prompt ? { prompt } : { image: picture! }));
      return typeof r === 'string' ? r : { poll: r.job_id, task: r.job_id };
    },
    poll: async (api, by) => {
      const r = await replyOf(api['assets.hunyuanPoll']({ jobId: by }));
      if (typeof r === 'string') return r;
      if (r.status === 'FAIL') return { state: 'failed', why: `The generation failed${r.error ? `: ${r.error}` : '.'}` };
      const zip = r.ResultFile3Ds.find((f) => f.Type.toUpperCase() === 'OBJ');
      return r.status === 'DONE' && zip ? { state: 'done', result: zip.Url } : { state: 'running', done: 0, of: 1 };
    },
    import: async (api, name, result) => {
      const r = await replyOf(api['assets.hunyuanImport']({ name, zipFileUrl: result }));
      return typeof r === 'string' ? r : `${r.name} is in your scene`;
    },
  },
};

type Message = { ok: boolean; text: string };

/** A model from a description or a picture of the person's own, by Hyper3D Rodin or Hunyuan3D: its progress followed, then imported. */
export function GenerateModel() {
  const { api } = useBridge();
  const [which, setWhich] = useState<'rodin' | 'hunyuan'>('rodin');
  const generator = GENERATORS[which];
  const [status, setStatus] = useState<SourceStatus | null>(null);
  const [prompt, setPrompt] = useState('');
  const [picture, setPicture] = useState('');
  const [job, setJob] = useState<{ poll: string; task: string } | null>(null);
  const [standing, setStanding] = useState<Standing | null>(null);
  const [name, setName] = useState('Generated');
  const [message, setMessage] = useState<Message | null>(null);

  useEffect(() => {
    setStatus(null);
    void generator.status(api).then(setStatus);
  }, [api, generator]);

  const settled = standing !== null && standing.state !== 'running';
  useEffect(() => {
    if (!job || settled) return;
    const poll = async () => {
      const r = await generator.poll(api, job.poll, job.task);
      if (typeof r === 'string') setMessage({ ok: false, text: r });
      else setStanding(r);
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [api, generator, job, settled]);

  const generate = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setStanding(null);
    const r = await generator.start(api, prompt.trim() ? { prompt: prompt.trim() } : { picture: picture.trim() });
    if (typeof r === 'string') setMessage({ ok: false, text: r });
    else setJob(r);
  };

  const importIt = async () => {
    if (standing?.state !== 'done') return;
    const text = await generator.import(api, name.trim() || 'Generated', standing.result);
    const ok = text.endsWith('is in your scene');
    setMessage({ ok, text });
    if (ok) setJob(null);
  };

  const running = !!job && !settled;
  return (
    <>
      <label>
        Generator
        <select value={which} disabled={running} onChange={(e) => { setWhich(e.target.value as 'rodin' | 'hunyuan'); setJob(null); setStanding(null); setMessage(null); }}>
          {Object.entries(GENERATORS).map(([key, g]) => (
            <option key={key} value={key}>{g.label}</option>
          ))}
        </select>
      </label>
      {status && !status.enabled ? (
        <MissingKey message={status.message} />
      ) : (
        <>
          <p className="muted">{generator.label} makes a model, with its materials, from a description or from a picture among your files. It comes at a normalized size: scale it after.</p>
          <form className="inline-form" aria-label="Generate a model" onSubmit={(e) => void generate(e)}>
            <label>
              Description
              <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={2} placeholder="a small wooden stool" />
            </label>
            <label>
              Or a picture of yours (a path in your home)
              <input value={picture} onChange={(e) => setPicture(e.target.value)} placeholder="reference.png" disabled={!!prompt.trim()} />
            </label>
            <button type="submit" className="primary" disabled={(!prompt.trim() && !picture.trim()) || running}>
              Generate
            </button>
          </form>
          {job && <Progress standing={standing} />}
          {job && standing?.state === 'done' && (
            <div className="inline-form">
              <label>
                Name in the scene
                <input value={name} onChange={(e) => setName(e.target.value)} />
              </label>
              <button type="button" className="primary" onClick={() => void importIt()}>
                Import
              </button>
            </div>
          )}
        </>
      )}
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? '' : 'error'}>
          {message.text}
        </p>
      )}
    </>
  );
}

function Progress({ standing }: { standing: Standing | null }) {
  if (!standing) return <p role="status">Starting the generation…</p>;
  if (standing.state === 'failed') return <p role="status">{standing.why}</p>;
  if (standing.state === 'done') return <p role="status">Done: ready to import.</p>;
  return (
    <>
      <p role="status">{standing.of > 1 ? `Generating: ${standing.done} of ${standing.of} jobs done` : 'Generating…'}</p>
      <progress aria-label="Generation" max={standing.of} value={standing.done} />
    </>
  );
}
