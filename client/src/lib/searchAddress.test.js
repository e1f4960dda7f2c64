import { describe, expect, it } from 'vitest';
import { parseSearch, searchHref, TYPES } from './searchAddress.js';

const url = (query) => new URL(`http://localhost/search${query}`);

describe('search address', () => {
  it('reads q (trimmed) and the type, People by default', () => {
    expect(parseSearch(url('?q=%20ada%20&type=groups'))).toEqual({ q: 'ada', type: 'groups' });
    expect(parseSearch(url('?q=ada'))).toEqual({ q: 'ada', type: 'people' });
    expect(parseSearch(url('?q=ada&type=everything'))).toEqual({ q: 'ada', type: 'people' });
    expect(parseSearch(url(''))).toEqual({ q: '', type: 'people' });
    expect(TYPES.map((t) => t.id)).toEqual(['people', 'groups', 'posts']);
  });

  it('writes the address of a search, encoded', () => {
    expect(searchHref({ q: ' rock & roll ', type: 'posts' })).toBe('/search?q=rock+%26+roll&type=posts');
    expect(searchHref({ q: 'ada' })).toBe('/search?q=ada&type=people');
    expect(parseSearch(new URL(searchHref({ q: 'café #1', type: 'groups' }), 'http://localhost'))).toEqual({
      q: 'café #1',
      type: 'groups'
    });
  });
});
