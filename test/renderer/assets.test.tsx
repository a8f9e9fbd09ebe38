import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AssetSummary } from '../../shared/assets';
import type { Reply } from '../../shared/api';
import { bob } from './fake-bridge';
import { mountSignedIn } from './mount';

afterEach(cleanup);

const asset = (id: string, name: string, type: AssetSummary['type'], categories: string[]): AssetSummary => ({
  id, name, type, categories, authors: ['Greg Zaal'], license: 'CC0', downloadCount: 10, thumbnailUrl: 'https://cdn.polyhaven.com/x.webp',
});
const HDRIS = [asset('dusk_sky', 'Dusk Sky', 'hdris', ['outdoor', 'skies']), asset('studio_small', 'Studio Small', 'hdris', ['indoor', 'studio'])];
const TEXTURES = [asset('red_bricks', 'Red Bricks', 'textures', ['brick'])];
const PICTURE = 'data:image/png;base64,iVBORw0KGgo=';

function open(extra: (f: Awaited<ReturnType<typeof mountSignedIn>>) => void = () => {}) {
  return mountSignedIn(bob, (f) => {
    f.answer('assets.polyhavenStatus', { enabled: true, message: 'PolyHaven is reachable' });
    f.answer('assets.polyhavenSearch', (input) => {
      const assets = (input as { assetType: string }).assetType === 'textures' ? TEXTURES : HDRIS;
      return { total: assets.length, assets };
    });
    f.answer('assets.polyhavenThumbnail', PICTURE);
    extra(f as never);
  });
}

describe('the Assets view', () => {
  it('shows PolyHaven HDRIs with pictures, names, licence and authors, narrows them by a search, and switches kind', async () => {
    const f = await open();
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    const grid = await screen.findByRole('list', { name: 'Assets' });
    const dusk = await within(grid).findByRole('listitem', { name: 'Dusk Sky' });
    expect(await within(dusk).findByRole('img', { name: 'Dusk Sky preview' })).toHaveProperty('src', PICTURE);
    expect(dusk.textContent).toContain('CC0 · by Greg Zaal');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'studio' } });
    await waitFor(() => expect(within(grid).queryByRole('listitem', { name: 'Dusk Sky' })).toBeNull());
    expect(within(grid).getByRole('listitem', { name: 'Studio Small' })).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'PolyHaven Textures' }));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: '' } });
    expect(await within(grid).findByRole('button', { name: 'Apply to selected: Red Bricks' })).toBeTruthy();
    expect(f.calls).toContainEqual(['assets.polyhavenSearch', { assetType: 'textures', limit: 200 }]);
  });

  it('downloads at the chosen resolution with a progress bar, then says what Blender made of it', async () => {
    let finish: (reply: Reply<'assets.polyhavenDownload'>) => void = () => {};
    const f = await open();
    const download = vi.fn(() => new Promise<Reply<'assets.polyhavenDownload'>>((resolve) => (finish = resolve)));
    f.bridge.api['assets.polyhavenDownload'] = download;
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    fireEvent.change(await screen.findByRole('combobox', { name: 'Resolution' }), { target: { value: '2k' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Use as world: Dusk Sky' }));
    expect(download).toHaveBeenCalledWith({ assetId: 'dusk_sky', assetType: 'hdris', resolution: '2k', applyToSelected: false });
    act(() => f.emit('assets.progress', { assetId: 'dusk_sky', bytes: 300, total: 1200, message: 'Fetching dusk_sky.hdr' }));
    const bar = await screen.findByRole('progressbar', { name: 'Downloading Dusk Sky' });
    expect(bar.getAttribute('value')).toBe('25');
    expect(screen.getByRole('button', { name: 'Use as world: Dusk Sky' })).toHaveProperty('disabled', true);
    act(() => finish({ ok: true, value: { message: 'HDRI dusk_sky is the world now', cached: false, image_name: 'dusk_sky' } }));
    expect((await screen.findByRole('status')).textContent).toBe('HDRI dusk_sky is the world now');
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('says in words why a download was refused', async () => {
    const f = await open();
    f.fail('assets.polyhavenDownload', { code: 'ASSET_REFUSED', message: 'dusk_sky at 8k is 3072.0 MiB, more than the 2048.0 MiB one download may bring in (assetDownloadLimitMiB)' });
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use as world: Dusk Sky' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/more than the 2048.0 MiB/);
  });

  it('says when PolyHaven cannot be reached', async () => {
    const f = await open();
    f.answer('assets.polyhavenStatus', { enabled: false, message: 'PolyHaven cannot be reached: ECONNREFUSED' });
    f.fail('assets.polyhavenSearch', { code: 'ASSET_SOURCE_UNREACHABLE', message: "PolyHaven's asset list could not be fetched: ECONNREFUSED" });
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    expect((await screen.findAllByRole('alert')).map((a) => a.textContent)).toEqual(['PolyHaven cannot be reached: ECONNREFUSED', "PolyHaven's asset list could not be fetched: ECONNREFUSED"]);
  });

  it('asks someone without a Sketchfab key to add it, and takes them to Keys', async () => {
    const f = await open((f) => f.answer('assets.sketchfabStatus', { enabled: false, message: 'Sketchfab needs your own API key: add SKETCHFAB_API_KEY in Keys' }));
    f.answer('keys.list', []);
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Sketchfab' }));
    expect((await screen.findByRole('alert')).textContent).toContain('add SKETCHFAB_API_KEY in Keys');
    fireEvent.click(screen.getByRole('button', { name: 'Go to Keys' }));
    expect(await screen.findByRole('heading', { name: 'Integration keys' })).toBeTruthy();
  });

  it('searches Sketchfab and adds a model at the size asked for, showing its licence', async () => {
    const f = await open((f) => {
      f.answer('assets.sketchfabStatus', { enabled: true, message: 'Sketchfab is ready: signed in as ada_3d.' });
      f.answer('assets.sketchfabSearch', { total: 1, models: [{ uid: 'a'.repeat(32), name: 'Wooden Chair', author: 'A Maker', license: 'CC Attribution', downloadable: true, thumbnailUrl: null }] });
      f.answer('assets.sketchfabThumbnail', PICTURE);
      f.answer('assets.sketchfabDownload', { success: true, message: 'Model added to the scene', imported_objects: ['Chair'], dimensions: [2, 1, 0.5] });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Sketchfab' }));
    fireEvent.change(await screen.findByRole('searchbox', { name: 'Search Sketchfab' }), { target: { value: 'chair' } });
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Largest side (metres)' }), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const card = await screen.findByRole('listitem', { name: 'Wooden Chair' });
    expect(card.textContent).toContain('CC Attribution · by A Maker');
    fireEvent.click(within(card).getByRole('button', { name: 'Add to scene: Wooden Chair' }));
    expect((await within(card).findByRole('status')).textContent).toBe('Model added to the scene (2 × 1 × 0.5 m)');
    expect(f.calls).toContainEqual(['assets.sketchfabDownload', { uid: 'a'.repeat(32), targetSize: 2 }]);
  });

  it('generates a model with Rodin, follows its jobs, and imports it under the name given', async () => {
    let polls = 0;
    const f = await open((f) => {
      f.answer('assets.hyper3dStatus', { enabled: true, message: 'Hyper3D Rodin is ready with your key' });
      f.answer('assets.hyper3dGenerate', { task_uuid: 'task-0000-1111', subscription_key: 'sub-0000-2222' });
      f.answer('assets.hyper3dPoll', () => ({ status_list: ++polls >= 2 ? ['Done', 'Done'] : ['Done', 'Generating'] }));
      f.answer('assets.hyper3dImport', { succeed: true, name: 'Stool', type: 'MESH', location: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1] });
    });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
      fireEvent.click(await screen.findByRole('tab', { name: 'Generate' }));
      fireEvent.change(await screen.findByRole('textbox', { name: 'Description' }), { target: { value: 'a small wooden stool' } });
      fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Generating: 1 of 2 jobs done'));
      expect(screen.getByRole('progressbar', { name: 'Generation' }).getAttribute('value')).toBe('1');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Done: ready to import.'));
      fireEvent.change(screen.getByRole('textbox', { name: 'Name in the scene' }), { target: { value: 'Stool' } });
      fireEvent.click(screen.getByRole('button', { name: 'Import' }));
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Stool is in your scene'));
      expect(f.calls).toContainEqual(['assets.hyper3dGenerate', { prompt: 'a small wooden stool' }]);
      expect(f.calls).toContainEqual(['assets.hyper3dImport', { name: 'Stool', taskUuid: 'task-0000-1111' }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('generates with Hunyuan3D too, importing the OBJ its finished job names', async () => {
    let polls = 0;
    const zip = 'https://hunyuan-results.example/job_abc123.zip';
    const f = await open((f) => {
      f.answer('assets.hyper3dStatus', { enabled: true, message: 'Hyper3D Rodin is ready with your key' });
      f.answer('assets.hunyuanStatus', { enabled: true, message: 'Hunyuan3D is ready' });
      f.answer('assets.hunyuanGenerate', { job_id: 'job_abc123' });
      f.answer('assets.hunyuanPoll', () => (++polls >= 2 ? { status: 'DONE', ResultFile3Ds: [{ Type: 'OBJ', Url: zip }] } : { status: 'RUN', ResultFile3Ds: [] }));
      f.answer('assets.hunyuanImport', { succeed: true, name: 'Vase', type: 'MESH', location: [0, 0, 0] });
    });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Assets' }));
      fireEvent.click(await screen.findByRole('tab', { name: 'Generate' }));
      fireEvent.change(await screen.findByRole('combobox', { name: 'Generator' }), { target: { value: 'hunyuan' } });
      fireEvent.change(await screen.findByRole('textbox', { name: 'Description' }), { target: { value: 'a clay vase' } });
      fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Generating…'));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Done: ready to import.'));
      fireEvent.change(screen.getByRole('textbox', { name: 'Name in the scene' }), { target: { value: 'Vase' } });
      fireEvent.click(screen.getByRole('button', { name: 'Import' }));
      await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Vase is in your scene'));
      expect(f.calls).toContainEqual(['assets.hunyuanImport', { name: 'Vase', zipFileUrl: zip }]);
    } finally {
      vi.useRealTimers();
    }
  });
});
