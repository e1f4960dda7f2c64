import { describe, expect, it } from 'vitest';
import { commentChange, postChanges } from './editing.js';

const POST = { body: 'Hello', image_url: null, privacy: 'public', group_id: null };

describe('postChanges', () => {
  it('sends only what changed, the text trimmed', () => {
    expect(postChanges(POST, { body: ' Hello ', privacy: 'public', viewerIds: null })).toEqual({ errors: {}, changes: null });
    expect(postChanges(POST, { body: 'Hi', privacy: 'public', viewerIds: null }).changes).toEqual({ body: 'Hi' });
    expect(postChanges(POST, { body: 'Hello', privacy: 'almost_private', viewerIds: null }).changes).toEqual({
      privacy: 'almost_private'
    });
  });

  it('makes a post private for the followers chosen, or keeps those it has', () => {
    expect(postChanges(POST, { body: 'Hello', privacy: 'private', viewerIds: [3, 4] }).changes).toEqual({
      privacy: 'private',
      viewer_ids: [3, 4]
    });
    expect(postChanges(POST, { body: 'Hello', privacy: 'private', viewerIds: [] }).errors).toEqual({
      viewer_ids: 'Pick at least one follower who may see this post.'
    });
    const secret = { ...POST, privacy: 'private' };
    expect(postChanges(secret, { body: 'Hello!', privacy: 'private', viewerIds: null }).changes).toEqual({ body: 'Hello!' });
    expect(postChanges(secret, { body: 'Hello', privacy: 'private', viewerIds: [5] }).changes).toEqual({ viewer_ids: [5] });
  });

  it('never sends a group post’s privacy', () => {
    const group = { ...POST, privacy: 'public', group_id: 3 };
    expect(postChanges(group, { body: 'New', privacy: 'private', viewerIds: [] })).toEqual({
      errors: {},
      changes: { body: 'New' }
    });
  });

  it('refuses an empty text unless there is an image', () => {
    expect(postChanges(POST, { body: '  ', privacy: 'public', viewerIds: null }).errors.body).toBe(
      'Write something or add an image.'
    );
    expect(postChanges({ ...POST, image_url: '/media/1' }, { body: '', privacy: 'public', viewerIds: null }).changes).toEqual({
      body: ''
    });
  });
});

describe('commentChange', () => {
  it('sends a changed text, nothing for the same, and refuses an empty one without image', () => {
    const comment = { body: 'Nice', image_url: null };
    expect(commentChange(comment, ' Nicer ')).toEqual({ error: '', body: 'Nicer' });
    expect(commentChange(comment, 'Nice ')).toEqual({ error: '', body: null });
    expect(commentChange(comment, ' ').error).toBe('Write something or add an image.');
    expect(commentChange({ body: 'x', image_url: '/media/2' }, '')).toEqual({ error: '', body: '' });
  });
});
