import { useEffect, useState, type FormEvent } from 'react';
import type { SourceStatus } from '../../../shared/assets';
import { MissingKey } from '../components/MissingKey';
import { useBridge } from '../context';

/** How often a generation's jobs are asked about while it runs. */
const POLL_MS = 3000;

type Task = { task_uuid: string; subscription_key: string };

/** Hyper3D Rodin: a model from a description or a picture of the person's own, its jobs followed, then imported. */
export function GenerateModel() {
  const bridge = useBridge();
  const [status, setStatus] = useState<SourceStatus | null>(null);
  const [prompt, setPrompt] = useState('');
  const [picture, setPicture] = useState('');
  const [task, setTask] = useState<Task | null>(null);
  const [jobs, setJobs] = useState<string[]>([]);
  const [name, setName] = useState('Generated');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void bridge.api['assets.hyper3dStatus']({}).then((r) => setStatus(r.ok ? r.value : { enabled: false, message: r.error.message }));
  }, [bridge]);

  const done = jobs.length > 0 && jobs.every((s) => s === 'Done');
  const failed = jobs.some((s) => s === 'Failed');
  useEffect(() => {
    if (!task || done || failed) return;
    const poll = async () => {
      const r = await bridge.api['assets.hyper3dPoll']({ subscriptionKey: task.subscription_key });
      if (r.ok) setJobs(r.value.status_list);
      else setMessage({ ok: false, text: r.error.message });
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [bridge, task, done, failed]);

  const generate = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setJobs([]);
    const input = prompt.trim() ? { prompt: prompt.trim() } : { imagePaths: [picture.trim()] };
    const r = await bridge.api['assets.hyper3dGenerate'](input);
    if (r.ok) setTask(r.value);
    else setMessage({ ok: false, text: r.error.message });
  };

  const importIt = async () => {
    const r = await bridge.api['assets.hyper3dImport']({ name: name.trim() || 'Generated', taskUuid: task!.task_uuid });
    setMessage(r.ok ? { ok: true, text: `${r.value.name} is in your scene` } : { ok: false, text: r.error.message });
    if (r.ok) setTask(null);
  };

  if (status && !status.enabled) return <MissingKey message={status.message} />;
  return (
    <>
      <p className="muted">Hyper3D Rodin makes a model, with its materials, from a description in English or from a picture among your files. It comes at a normalized size: scale it after.</p>
      <form className="inline-form" aria-label="Generate a model" onSubmit={(e) => void generate(e)}>
        <label>
          Description
          <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={2} placeholder="a small wooden stool" />
        </label>
        <label>
          Or a picture of yours (a path in your home)
          <input value={picture} onChange={(e) => setPicture(e.target.value)} placeholder="reference.png" disabled={!!prompt.trim()} />
        </label>
        <button type="submit" className="primary" disabled={(!prompt.trim() && !picture.trim()) || (!!task && !done && !failed)}>
          Generate
        </button>
      </form>
      {task && jobs.length > 0 && (
        <p role="status">
          {failed ? 'The generation failed.' : done ? 'Done: ready to import.' : `Generating: ${jobs.filter((s) => s === 'Done').length} of ${jobs.length} jobs done`}
        </p>
      )}
      {task && !jobs.length && <p role="status">Starting the generation…</p>}
      {task && jobs.length > 0 && !done && !failed && <progress aria-label="Generation" max={jobs.length} value={jobs.filter((s) => s === 'Done').length} />}
      {task && done && (
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
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? '' : 'error'}>
          {message.text}
        </p>
      )}
    </>
  );
}
