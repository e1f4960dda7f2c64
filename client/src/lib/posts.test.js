import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { audienceOf, checkImage, commentFormData, errorsFrom, imageAlt, MAX_IMAGE_BYTES } from './posts.js';

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace' };

describe('posts', () => {
  it('names the audience of a post, groups first', () => {
    expect(audienceOf({ privacy: 'public' }).label).toBe('Public');
    expect(audienceOf({ privacy: 'almost_private', author: ADA })).toMatchObject({ label: 'Almost private', hint: 'Followers of Ada Lovelace' });
    expect(audienceOf({ privacy: 'private' }).label).toBe('Private');
    expect(audienceOf({ privacy: 'public', group_id: 3 }).label).toBe('Group');
  });

  it('describes an image by the first words of its text, else by who posted it', () => {
    expect(imageAlt({ body: '  Sunset\nat the  lake ', author: ADA })).toBe('Sunset at the lake');
    expect(imageAlt({ body: 'one two three four five six seven eight nine ten eleven twelve thirteen', author: ADA })).toBe(
      'one two three four five six seven eight nine ten eleven twelve…'
    );
    expect(imageAlt({ body: '', author: ADA })).toBe('Image posted by Ada Lovelace');
  });

  it('refuses other files and files over 10 MB before sending', () => {
    expect(checkImage(null)).toBe('');
    expect(checkImage(new File(['x'], 'a.gif', { type: 'image/gif' }))).toBe('');
    expect(checkImage(new File(['x'], 'a.webp', { type: 'image/webp' }))).toMatch(/JPEG, PNG or GIF/);
    const big = { type: 'image/png', size: MAX_IMAGE_BYTES + 1 };
    expect(checkImage(big)).toMatch(/10 MB/);
  });

  it('puts server errors beside their fields, image refusals beside the picker', () => {
    expect(errorsFrom(new ApiError(413, 'payload_too_large', 'That file is too large.'))).toEqual({ image: 'That file is too large.' });
    expect(errorsFrom(new ApiError(415, 'unsupported_media', 'Only images.'))).toEqual({ image: 'Only images.' });
    expect(
      errorsFrom(new ApiError(422, 'validation_error', 'Check.', { body: 'write something or add an image', viewer_ids: 'not among your followers: 7' }))
    ).toEqual({ body: 'Write something or add an image.', viewer_ids: 'Not among your followers: 7.' });
    expect(errorsFrom(new ApiError(0, 'network_error', 'Offline.'))).toEqual({ form: 'Offline.' });
  });

  it('builds a comment body with its image', () => {
    const image = new File(['gif'], 'a.gif', { type: 'image/gif' });
    const form = commentFormData({ body: ' hi ', image });
    expect(form.get('body')).toBe('hi');
    expect(form.get('image').name).toBe('a.gif');
    expect(commentFormData({ body: 'x', image: null }).has('image')).toBe(false);
  });
});
