import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The Python server (`socialnet serve`). The proxy must keep the browser's Host header
// (changeOrigin: false; Vite's string shorthand would rewrite it), so the server's Origin
// check sees Origin and Host agree, as they do in production.
const SERVER = { target: 'http://127.0.0.1:8000', changeOrigin: false };

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': SERVER,
      '/media': SERVER,
      '/ws': { ...SERVER, ws: true }
    }
  },
  // Component tests mount Svelte in jsdom, which needs Svelte's browser build.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
    clearMocks: true,
    restoreMocks: true,
    unstubGlobals: true
  }
});
