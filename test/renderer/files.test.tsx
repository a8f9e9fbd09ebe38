import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reply } from '../../shared/api';
import type { FolderListing } from '../../shared/files';
import { bob, sessionOf } from './fake-bridge';
import { mountSignedIn } from './mount';

afterEach(cleanup);

const HOME: FolderListing = {
  path: '',
  entries: [
    { name: 'renders', kind: 'folder', bytes: 0, modifiedAt: '2026-11-25T14:00:00.000Z' },
    { name: 'car.blend', kind: 'file', bytes: 2_400_000, modifiedAt: '2026-11-25T13:00:00.000Z' },
    { name: 'escape', kind: 'link', bytes: 0, modifiedAt: '2026-11-25T12:00:00.000Z' },
    { name: '.blender-lab', kind: 'folder', bytes: 0, modifiedAt: '2026-11-25T12:00:00.000Z' },
  ],
};
const RENDERS: FolderListing = { path: 'renders', entries: [{ name: 'Scene-20261125T140000Z.png', kind: 'file', bytes: 81_000, modifiedAt: '2026-11-25T14:00:00.000Z' }] };

async function openFiles(more: Parameters<typeof mountSignedIn>[1] = () => {}) {
  const f = await mountSignedIn(bob, (f) => {
    f.answer('session.mine', sessionOf(bob));
    f.answer('files.list', (input) => ((input as { path: string }).path === 'renders' ? RENDERS : HOME));
    more(f);
  });
  fireEvent.click(screen.getByRole('button', { name: 'Files' }));
  await screen.findByText('car.blend');
  return f;
}

describe('the Files view', () => {
  it('lists folders, files with sizes, and links that are not followed; goes into a folder and back home', async () => {
    await openFiles();
    const table = screen.getByRole('table', { name: 'Files in this folder' });
    expect(within(table).getByText('2.3 MiB')).toBeTruthy();
    expect(within(table).getByText('(link, not followed)')).toBeTruthy();
    expect(within(table).queryByRole('button', { name: 'Download escape' })).toBeNull();
    expect(within(table).getByRole('button', { name: 'Open car.blend in Blender' })).toBeTruthy();
    expect(within(table).queryByText('.blender-lab/')).toBeNull(); // hidden files stay out of the way
    fireEvent.click(screen.getByLabelText('Show hidden files'));
    expect(within(table).getByText('.blender-lab/')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'renders/' }));
    expect(await screen.findByText('Scene-20261125T140000Z.png')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Open .* in Blender/ })).toBeNull(); // only .blend files open
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Folder' })).getByRole('button', { name: 'Home' }));
    expect(await screen.findByText('car.blend')).toBeTruthy();
  });

  it('says why an upload is refused, and uploads nothing', async () => {
    const f = await openFiles((f) => f.fail('files.upload', { code: 'INVALID_INPUT', message: 'huge.bin is 3.0 GiB; uploads are limited to 2048 MiB each (setting uploadLimitMiB)' }));
    const big = new File(['x'], 'huge.bin');
    fireEvent.change(screen.getByLabelText('Files to upload'), { target: { files: [big] } });
    expect(await screen.findByText('huge.bin: huge.bin is 3.0 GiB; uploads are limited to 2048 MiB each (setting uploadLimitMiB)')).toBeTruthy();
    expect(f.calls.filter(([m]) => m === 'files.upload')).toEqual([['files.upload', { folder: '', name: 'huge.bin', bytes: 1 }]]);
  });

  it('uploads into the folder shown, even while its listing is still on its way', async () => {
    const f = await openFiles();
    fireEvent.click(screen.getByRole('button', { name: 'renders/' }));
    await screen.findByText('Scene-20261125T140000Z.png');
    let arrive: (listing: FolderListing) => void = () => {};
    f.bridge.api['files.list'] = vi.fn(() => new Promise<Reply<'files.list'>>((resolve) => (arrive = (value) => resolve({ ok: true, value }))));
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Folder' })).getByRole('button', { name: 'Home' }));
    fireEvent.change(screen.getByLabelText('Files to upload'), { target: { files: [new File(['x'], 'note.txt')] } });
    await waitFor(() => expect(f.calls.filter(([m]) => m === 'files.upload')).toEqual([['files.upload', { folder: '', name: 'note.txt', bytes: 1 }]]));
    arrive(HOME);
  });

  it('asks before deleting, and renames in place', async () => {
    const f = await openFiles();
    fireEvent.click(screen.getByRole('button', { name: 'Delete car.blend' }));
    expect(f.calls.some(([m]) => m === 'files.delete')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Keep' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete renders' }));
    expect(screen.getByText('Delete this folder and everything in it?')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(f.calls).toContainEqual(['files.delete', { path: 'renders' }]));
    expect(await screen.findByText('Deleted renders')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Rename car.blend' }));
    fireEvent.change(screen.getByLabelText('New name for car.blend'), { target: { value: 'truck.blend' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(f.calls).toContainEqual(['files.rename', { path: 'car.blend', to: 'truck.blend' }]));
  });

  it('opens a .blend in Blender and goes back to the workspace, which says what opened', async () => {
    const message = 'Opened car.blend from your files.';
    const f = await openFiles((f) => f.answer('files.open', sessionOf(bob, { scene: { kind: 'chosen', at: '2026-11-25T13:00:00.000Z', message } })));
    fireEvent.click(screen.getByRole('button', { name: 'Open car.blend in Blender' }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(f.calls).toContainEqual(['files.open', { path: 'car.blend' }]);
    expect(screen.getByTitle('Blender')).toBeTruthy();
  });

  it('shows a render in History once it is saved', async () => {
    await mountSignedIn(bob, (f) => {
      f.answer('session.mine', sessionOf(bob));
      f.answer('blender.render', { path: 'renders/Scene-20261125T140000Z.png', width: 64, height: 36, image_base64: 'iVBORw0KGgo=' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Render' }));
    const image = await screen.findByAltText('Render saved as renders/Scene-20261125T140000Z.png');
    expect(image.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
  });
});
