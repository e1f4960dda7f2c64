import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
export default {
  vitePlugin: {
    // Runes only in our own files: legacy `export let` and `$:` are compile errors here.
    // Libraries in node_modules keep whatever mode they were written in.
    dynamicCompileOptions: ({ filename }) =>
      filename.includes('node_modules') ? undefined : { runes: true }
  },
  kit: {
    // A single-page app: every unknown path gets index.html, the router takes over in the browser.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // A Content-Security-Policy <meta> in every page, with the hashes of Kit's own inline
    // bootstrap script: nothing but our files runs, whoever serves them (the server or nginx).
    // frame-ancestors cannot live in a <meta>: both servers send it as a header.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Svelte sets some style attributes; no stylesheet comes from elsewhere.
        'style-src': ['self', 'unsafe-inline'],
        // Avatars and images come from /media; previews of a picked file are blob: URLs.
        'img-src': ['self', 'data:', 'blob:'],
        // The API and the socket (same origin: 'self' covers ws: and wss: there).
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self']
      }
    }
  }
};
