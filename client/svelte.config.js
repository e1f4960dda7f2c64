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
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true })
  }
};
