import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { describeBytes, type FileEntry, type FolderListing } from '../../../shared/files';
import { Notice, type NoticeData } from '../components/Notice';
import { Page } from '../components/Page';
import { useBridge, usePanel } from '../context';

interface Upload {
  id: number;
  name: string;
  sent: number;
  total: number;
  /** Null while it runs; the outcome once it has ended. */
  outcome: NoticeData | null;
}

let uploadId = 0;

/** Sends one file's bytes to a transfer address with progress (fetch cannot report upload progress). */
function put(url: string, file: File, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error(xhr.responseText || `the panel answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the connection to the panel was cut'));
    xhr.send(file);
  });
}

/** An ordinary browser download of a transfer address (Electron shows its save dialog). */
function fetchToDisk(url: string, name: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

const join = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

/** The person's home in their container: browse, upload (button or drop), download, rename, delete, open .blend files. */
export function Files() {
  const bridge = useBridge();
  const ready = usePanel((s) => s.session?.state === 'ready');
  const openFile = usePanel((s) => s.openFile);
  const [folder, setFolder] = useState('');
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [notice, setNotice] = useState<NoticeData | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dropping, setDropping] = useState(false);
  // Dot files are Blender's and the shell's own (saved versions, settings): out of sight unless asked for.
  const [showHidden, setShowHidden] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  // The folder shown is the one last asked for: an answer for a folder already left is dropped.
  const asked = useRef('');
  const load = useCallback(
    async (path: string) => {
      asked.current = path;
      setFolder(path);
      const reply = await bridge.api['files.list']({ path });
      if (asked.current !== path) return;
      if (reply.ok) setListing(reply.value);
      else setNotice({ ok: false, text: reply.error.message });
    },
    [bridge],
  );

  useEffect(() => {
    if (ready) void load(folder);
    // Only on arrival and when Blender becomes ready; navigation loads by itself.
  }, [ready, load]);

  const track = (id: number, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const upload = async (files: File[]) => {
    const into = folder;
    await Promise.all(
      files.map(async (file) => {
        const id = ++uploadId;
        setUploads((all) => [{ id, name: file.name, sent: 0, total: file.size, outcome: null }, ...all].slice(0, 20));
        const ticket = await bridge.api['files.upload']({ folder: into, name: file.name, bytes: file.size });
        if (!ticket.ok) return track(id, { outcome: { ok: false, text: `${file.name}: ${ticket.error.message}` } });
        try {
          await put(ticket.value.url, file, (sent) => track(id, { sent }));
          track(id, { sent: file.size, outcome: { ok: true, text: `${file.name} uploaded (${describeBytes(file.size)})` } });
        } catch (error) {
          track(id, { outcome: { ok: false, text: `${file.name} was not uploaded: ${(error as Error).message}` } });
        }
      }),
    );
    await load(into);
  };

  const download = async (entry: FileEntry) => {
    const reply = await bridge.api['files.download']({ path: join(folder, entry.name) });
    if (reply.ok) fetchToDisk(reply.value.url, reply.value.name);
    else setNotice({ ok: false, text: reply.error.message });
  };

  const act = async (done: string, run: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    const reply = await run();
    setNotice(reply.ok ? { ok: true, text: done } : { ok: false, text: reply.error!.message });
    await load(folder);
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    const files = [...event.dataTransfer.files];
    if (files.length) void upload(files);
  };

  if (!ready) {
    return (
      <Page title="Files">
        <p role="status">Your files are reached through your Blender: start it from the Workspace to see them.</p>
      </Page>
    );
  }

  const crumbs = folder ? folder.split('/') : [];
  return (
    <Page title="Files">
      <div className="row files-bar">
        <nav aria-label="Folder" className="crumbs">
          <button type="button" className="link" onClick={() => void load('')}>
            Home
          </button>
          {crumbs.map((part, i) => (
            <span key={i}>
              {' / '}
              <button type="button" className="link" onClick={() => void load(crumbs.slice(0, i + 1).join('/'))}>
                {part}
              </button>
            </span>
          ))}
        </nav>
        <span className="spacer" />
        <label className="row small">
          <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
          Show hidden files
        </label>
        <button type="button" className="primary" onClick={() => picker.current?.click()}>
          Upload files
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void upload(files);
          }}
        />
      </div>
      <Notice notice={notice} />
      <UploadList uploads={uploads} />
      <div
        className={dropping ? 'file-drop dropping' : 'file-drop'}
        onDragOver={(e) => {
          e.preventDefault();
          setDropping(true);
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={drop}
      >
        <table aria-label="Files in this folder">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Modified</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {listing?.entries.filter((entry) => showHidden || !entry.name.startsWith('.')).map((entry) => (
              <Row
                key={entry.name}
                entry={entry}
                onOpenFolder={() => void load(join(folder, entry.name))}
                onDownload={() => void download(entry)}
                onRename={(to) => act(`Renamed ${entry.name} to ${to}`, () => bridge.api['files.rename']({ path: join(folder, entry.name), to }))}
                onDelete={() => act(`Deleted ${entry.name}`, () => bridge.api['files.delete']({ path: join(folder, entry.name) }))}
                onOpenInBlender={() => void openFile(join(folder, entry.name))}
              />
            ))}
          </tbody>
        </table>
        {listing && listing.entries.length === 0 && <p className="muted">This folder is empty. Drop files here or use Upload files.</p>}
      </div>
    </Page>
  );
}

function UploadList({ uploads }: { uploads: Upload[] }) {
  if (!uploads.length) return null;
  return (
    <ul className="uploads" aria-label="Uploads">
      {uploads.map((u) =>
        u.outcome ? (
          <li key={u.id}>
            <Notice notice={u.outcome} />
          </li>
        ) : (
          <li key={u.id}>
            <label>
              {u.name} <span className="muted">{`${describeBytes(u.sent)} of ${describeBytes(u.total)}`}</span>
              <progress max={u.total || 1} value={u.sent} aria-label={`Uploading ${u.name}`} />
            </label>
          </li>
        ),
      )}
    </ul>
  );
}

interface RowProps {
  entry: FileEntry;
  onOpenFolder(): void;
  onDownload(): void;
  onRename(to: string): Promise<void>;
  onDelete(): Promise<void>;
  onOpenInBlender(): void;
}

function Row({ entry, onOpenFolder, onDownload, onRename, onDelete, onOpenInBlender }: RowProps) {
  const [mode, setMode] = useState<'idle' | 'renaming' | 'deleting'>('idle');
  const [name, setName] = useState(entry.name);
  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (name && name !== entry.name) await onRename(name);
    setMode('idle');
  };
  return (
    <tr>
      <th scope="row">
        {entry.kind === 'folder' ? (
          <button type="button" className="link" onClick={onOpenFolder}>
            {entry.name}/
          </button>
        ) : (
          <span>
            {entry.name}
            {entry.kind === 'link' && <span className="muted small"> (link, not followed)</span>}
          </span>
        )}
      </th>
      <td>{entry.kind === 'file' ? describeBytes(entry.bytes) : ''}</td>
      <td>
        <time dateTime={entry.modifiedAt}>{new Date(entry.modifiedAt).toLocaleString()}</time>
      </td>
      <td className="actions">
        {mode === 'renaming' ? (
          <form onSubmit={rename} className="row">
            <input aria-label={`New name for ${entry.name}`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : mode === 'deleting' ? (
          <span className="row">
            <span>Delete {entry.kind === 'folder' ? 'this folder and everything in it' : 'this file'}?</span>
            <button type="button" className="danger" onClick={() => void onDelete().then(() => setMode('idle'))}>
              Yes, delete
            </button>
            <button type="button" onClick={() => setMode('idle')}>
              Keep
            </button>
          </span>
        ) : (
          entry.kind !== 'link' && (
            <>
              {entry.name.toLowerCase().endsWith('.blend') && (
                <button type="button" aria-label={`Open ${entry.name} in Blender`} onClick={onOpenInBlender}>
                  Open in Blender
                </button>
              )}
              <button type="button" aria-label={`Download ${entry.name}`} onClick={onDownload}>
                Download
              </button>
              <button type="button" aria-label={`Rename ${entry.name}`} onClick={() => setMode('renaming')}>
                Rename
              </button>
              <button type="button" aria-label={`Delete ${entry.name}`} onClick={() => setMode('deleting')}>
                Delete
              </button>
            </>
          )
        )}
      </td>
    </tr>
  );
}
