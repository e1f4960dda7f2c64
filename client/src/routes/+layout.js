// A single-page app: nothing renders on the server and nothing is prerendered;
// adapter-static writes one fallback index.html and the client router does the rest.
export const ssr = false;
export const prerender = false;
