// @vitest-environment jsdom
// The two conversation pages: /messages/direct/[id] and /messages/group/[id].
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isHttpError } from '@sveltejs/kit';

vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
vi.mock('$lib/components/chat/ChatThread.svelte', async () => ({
  default: (await import('$lib/testing/ChatThreadStub.svelte')).default
}));
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { session } = await import('$lib/state/session.svelte.js');
const direct = {
  Page: (await import('./direct/[id]/+page.svelte')).default,
  load: (await import('./direct/[id]/+page.js')).load
};
const group = {
  Page: (await import('./group/[id]/+page.svelte')).default,
  load: (await import('./group/[id]/+page.js')).load
};

const card = (id, first_name) => ({ id, first_name, last_name: 'Tester', nickname: null, avatar_url: null });
const ALICE = card(1, 'Alice');
const BOB = card(2, 'Bob');

const text = () => document.body.textContent.replace(/\s+/g, ' ');
/** Every id fails to load with the error page's 404, saying `message`. */
async function expectMissing(load, ids, message) {
  for (const err of await loadFailures(load, ids)) {
    expect(isHttpError(err, 404)).toBe(true);
    expect(err.body.message).toBe(message);
  }
}

beforeEach(() => (session.user = { ...ALICE, is_public: true }));
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  session.user = null;
});

describe('direct conversation page', () => {
  it('names the other person and opens the conversation with them', async () => {
    routes({ 'GET /api/users/2': [200, { user: { ...BOB, follow_state: 'none', follows_you: true } }] });
    await renderRoute(direct.Page, direct.load, '/messages/direct/2', { id: '2' });
    expect(document.querySelector('h1').textContent).toBe('Bob Tester');
    expect(document.querySelector('a[href="/users/2"]').textContent).toBe('Profile');
    expect(text()).toContain('Chat of direct 2');
    expect(text()).toContain('Composer');
  });

  it('says why instead of a box when neither follows the other, and opens on following', async () => {
    const stranger = { ...BOB, is_public: true, follow_state: 'none', follows_you: false };
    routes({
      'GET /api/users/2': [200, { user: stranger }],
      'POST /api/users/2/follow': [200, { follow_state: 'following' }]
    });
    await renderRoute(direct.Page, direct.load, '/messages/direct/2', { id: '2' });
    expect(text()).toContain('You can message Bob once one of you follows the other.');
    expect(text()).not.toContain('Composer');
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Follow').click();
    await vi.waitFor(() => expect(text()).toContain('Composer'));
  });

  it('says so when the address is one’s own', async () => {
    routes({ 'GET /api/users/1': [200, { user: ALICE }] });
    await renderRoute(direct.Page, direct.load, '/messages/direct/1', { id: '1' });
    expect(text()).toContain('This is you.');
    expect(text()).not.toContain('Chat of');
  });

  it('loads through SvelteKit: an unknown person, or an id that cannot be one, is error(404)', async () => {
    routes({});
    await expectMissing(direct.load, ['9', 'bob'], 'There is no such person.');
  });
});

describe('group conversation page', () => {
  it('names the group and opens its chat room', async () => {
    routes({ 'GET /api/groups/7': [200, { group: { id: 7, title: 'Climbing' } }] });
    await renderRoute(group.Page, group.load, '/messages/group/7', { id: '7' });
    expect(document.querySelector('h1').textContent).toBe('Climbing');
    expect(document.querySelector('a[href="/groups/7"]').textContent).toBe('Group page');
    expect(text()).toContain('Chat of group 7');
  });

  it('loads through SvelteKit: an unknown group, or an id that cannot be one, is error(404)', async () => {
    routes({});
    await expectMissing(group.load, ['7', '-2'], 'There is no such group.');
  });
});
