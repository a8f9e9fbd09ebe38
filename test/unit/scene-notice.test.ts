import { describe, expect, it } from 'vitest';
import { sceneNotice } from '../../shared/scene-notice';

const opened = (over: object) => ({ path: '/home/blender/.blender-lab/versions/x.blend', name: 'x.blend', kind: 'save' as const, at: '2026-11-25T14:02:31.000Z', requested: false, skipped: [], ...over });

describe('what a person is told about the scene a start opened', () => {
  it('nothing when it was simply their last save, or a first start', () => {
    expect(sceneNotice(opened({}))).toBeNull();
    expect(sceneNotice(opened({ kind: 'none', path: null, name: null, at: null }))).toBeNull();
    expect(sceneNotice(null)).toBeNull();
  });

  it('that their work came back from the autosave, and from when', () => {
    expect(sceneNotice(opened({ kind: 'autosave', name: 'autosave.blend' }))).toEqual({
      kind: 'recovered',
      at: '2026-11-25T14:02:31.000Z',
      message: 'Blender ended without saving last time. Recovered your work from the autosave of 14:02:31 UTC on 25 Nov.',
    });
  });

  it('which file could not be opened and why, and what opened instead', () => {
    const notice = sceneNotice(opened({ at: '2026-11-25T13:00:00.000Z', skipped: [{ name: '20261125T140000.000Z.blend', at: '2026-11-25T14:00:00.000Z', why: 'cut short (it was being written when Blender stopped)' }] }));
    expect(notice).toEqual({
      kind: 'fallback',
      at: '2026-11-25T13:00:00.000Z',
      message: 'Your newest saved state could not be opened (20261125T140000.000Z.blend (14:00:00 UTC on 25 Nov) is cut short (it was being written when Blender stopped)). Opened the one from 13:00:00 UTC on 25 Nov instead.',
    });
  });

  it('that nothing could be opened, when every file is damaged', () => {
    expect(sceneNotice(opened({ kind: 'none', path: null, at: null, skipped: [{ name: 'autosave.blend', why: 'not a Blender file' }] }))).toMatchObject({
      kind: 'lost',
      message: 'No saved state could be opened (autosave.blend is not a Blender file); Blender started with a new scene.',
    });
  });

  it('which version they chose', () => {
    expect(sceneNotice(opened({ requested: true }))).toMatchObject({ kind: 'chosen', message: 'Opened your saved version from 14:02:31 UTC on 25 Nov.' });
  });
});
