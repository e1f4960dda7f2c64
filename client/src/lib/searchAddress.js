// The search page's address (`/search?q=&type=`): what it asks for, and the address of a
// search. API.md: `q` of 1 to 200 characters after trimming (the server says so otherwise),
// `type` one of people, groups, posts.

export const TYPES = [
  { id: 'people', label: 'People' },
  { id: 'groups', label: 'Groups' },
  { id: 'posts', label: 'Posts' }
];
const DEFAULT_TYPE = 'people';

/** `{q, type}` of a search address: q trimmed, an unknown or missing type is People. */
export function parseSearch(url) {
  const q = (url.searchParams.get('q') ?? '').trim();
  const asked = url.searchParams.get('type');
  const type = TYPES.some((t) => t.id === asked) ? asked : DEFAULT_TYPE;
  return { q, type };
}

/** The address of a search for `q` among `type`. */
export function searchHref({ q, type = DEFAULT_TYPE }) {
  const params = new URLSearchParams({ q: q.trim(), type });
  return `/search?${params}`;
}
