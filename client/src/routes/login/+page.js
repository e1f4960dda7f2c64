import { loadProviders } from '$lib/providers.js';

export async function load({ fetch }) {
  return { providers: await loadProviders(fetch) };
}
