import { describe, expect, it } from 'vitest';
import { checkPost, defaultPrivacy, postFormData } from './composer.js';

const draft = (extra) => ({ body: '', image: null, privacy: 'public', viewerIds: [], ...extra });
const GIF = new File(['GIF89a'], 'cat.gif', { type: 'image/gif' });

describe('composer', () => {
  it('defaults to Public for a public profile and Almost private for a private one', () => {
    expect(defaultPrivacy({ is_public: true })).toBe('public');
    expect(defaultPrivacy({ is_public: false })).toBe('almost_private');
  });

  it('refuses an empty post, accepts an image alone', () => {
    expect(checkPost(draft({ body: '  \n ' }))).toEqual({ body: 'Write something or add an image.' });
    expect(checkPost(draft({ image: GIF }))).toEqual({});
    expect(checkPost(draft({ body: 'Hello' }))).toEqual({});
  });

  it('asks for at least one follower for a private post', () => {
    expect(checkPost(draft({ body: 'x', privacy: 'private' })).viewer_ids).toMatch(/at least one/);
    expect(checkPost(draft({ body: 'x', privacy: 'private', viewerIds: [4] }))).toEqual({});
  });

  it('sends viewer_ids (repeated) and the image for a private post', () => {
    const form = postFormData(draft({ body: ' For you two ', privacy: 'private', viewerIds: [4, 7], image: GIF }));
    expect(form.get('body')).toBe('For you two');
    expect(form.get('privacy')).toBe('private');
    expect(form.getAll('viewer_ids')).toEqual(['4', '7']);
    expect(form.get('image').name).toBe('cat.gif');
  });

  it('sends no viewers for other audiences, even if some were ticked before', () => {
    const form = postFormData(draft({ body: 'All', privacy: 'almost_private', viewerIds: [4] }));
    expect(form.has('viewer_ids')).toBe(false);
    expect(form.has('image')).toBe(false);
    expect(form.get('privacy')).toBe('almost_private');
  });

  it('sends group_id and no audience for a group post', () => {
    const group = draft({ body: 'Climb Saturday?', privacy: 'private', viewerIds: [4], groupId: 12 });
    expect(checkPost(group)).toEqual({}); // no follower to pick in a group
    const form = postFormData(group);
    expect(form.get('group_id')).toBe('12');
    expect(form.has('privacy')).toBe(false);
    expect(form.has('viewer_ids')).toBe(false);
    expect(form.get('body')).toBe('Climb Saturday?');
  });
});
