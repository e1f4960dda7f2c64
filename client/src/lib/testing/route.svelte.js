// For component tests of a route (never imported by the app): its page shown as SvelteKit
// shows it, with the `data` its load function returned, and stand-ins for $app/navigation
// that run that load again as SvelteKit would: invalidate() of a key it depends on,
// invalidateAll(), and goto() to another address of the same page when the load reads `url`
// (or with `invalidateAll`).
//
//   vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
//   await renderRoute(Page, load, '/posts/4', { id: '4' });
import { isHttpError } from '@sveltejs/kit';
import { flushSync, mount, unmount } from 'svelte';
import { vi } from 'vitest';

/** The route on screen: {load, event, props, component, deps, readsUrl, page}, or null. */
let shown = null;

async function rerun() {
  shown.deps.clear();
  shown.props.data = await shown.load(shown.event);
  flushSync();
}

export const navigation = {
  goto: vi.fn(async (to, options) => {
    if (!shown) return;
    const url = new URL(to, shown.url);
    if (url.pathname !== shown.url.pathname) return;
    const changed = url.href !== shown.url.href;
    shown.url = url;
    if (shown.page) shown.page.url = url;
    if ((changed && shown.readsUrl) || options?.invalidateAll) await rerun();
  }),
  invalidate: vi.fn(async (key) => {
    if (shown?.deps.has(key)) await rerun();
  }),
  invalidateAll: vi.fn(async () => {
    if (shown) await rerun();
  })
};

/**
 * Run `load` for `href` with route `params`, then mount `Page` with its data. A load that
 * throws (SvelteKit's error() or redirect()) rejects with it, and nothing is shown; but with
 * `ErrorPage` (+error.svelte) and `page`, an error() shows ErrorPage as SvelteKit would.
 * @param {{page?: {url: URL}, ErrorPage?: any}} [options] `page`: the test's stand-in for
 *   $app/state's page, whose url follows goto() and which carries the error's status
 */
export async function renderRoute(Page, load, href, params = {}, { page, ErrorPage } = {}) {
  const route = { load, deps: new Set(), readsUrl: false, url: new URL(href, 'http://localhost'), page };
  if (page) page.url = route.url;
  route.event = {
    params,
    get url() {
      route.readsUrl = true;
      return route.url;
    },
    fetch: (...args) => globalThis.fetch(...args), // the test's stub, whenever it was made
    depends: (...keys) => keys.forEach((key) => route.deps.add(key)),
    parent: async () => ({}),
    untrack: (fn) => fn()
  };
  let data;
  try {
    data = await load(route.event);
  } catch (err) {
    if (!(ErrorPage && page && isHttpError(err))) throw err;
    Object.assign(page, { status: err.status, error: err.body });
    route.component = mount(ErrorPage, { target: document.body });
    flushSync();
    shown = route;
    return route;
  }
  const props = $state({ data });
  route.props = props;
  route.component = mount(Page, { target: document.body, props: route.props });
  flushSync();
  shown = route;
  return route;
}

/** Unmount what renderRoute showed (in afterEach). */
export function unmountRoute() {
  if (shown) unmount(shown.component);
  shown = null;
}

/**
 * What `load` throws for each of `ids` as the route's `[id]` (null where it does not throw),
 * to check the 404s of a load function.
 */
export function loadFailures(load, ids) {
  const event = (id) => ({
    params: { id },
    url: new URL(`http://localhost/${id}`),
    fetch: (...args) => globalThis.fetch(...args),
    depends() {}
  });
  return Promise.all(ids.map((id) => load(event(id)).then(() => null, (err) => err)));
}

/**
 * Stub the browser's fetch with a table of answers: `'GET /api/path': [status, body]`, or a
 * function of the request's init giving one. Anything else answers 404. Returns the stub.
 */
export function stubApi(table) {
  const fetch = vi.fn(async (path, init) => {
    let answer = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    if (typeof answer === 'function') answer = answer(init);
    const [status, body] = answer;
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
