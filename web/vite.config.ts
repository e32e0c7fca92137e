import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { precompress } from './vite-precompress';

const API_TARGET = process.env.ICMP_API_URL ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/health', '/docs', '/openapi.json', '/ping'];

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: API_TARGET, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // The React runtime changes rarely: cache it apart from the app. CodeMirror and Recharts
        // are only needed by lazy routes, so they get their own chunks and stay out of the first load.
        codeSplitting: {
          // Without this a group also swallows the shared helpers its modules import (for example
          // @babel/runtime), and the first page would then have to download CodeMirror.
          includeDependenciesRecursively: false,
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/,
            },
            {
              name: 'codemirror',
              test: /node_modules[\\/](@codemirror|@uiw|@lezer|crelt|style-mod|w3c-keyname)[\\/]/,
            },
            {
              // The small d3 pieces both the charts and the flow editor use (React Flow's pan/zoom is
              // d3-zoom): their own chunk, so neither page downloads the other's library.
              name: 'd3-common',
              test: /node_modules[\\/](d3-(color|interpolate|timer|ease|dispatch)|use-sync-external-store)[\\/]/,
            },
            {
              // The flow editor's canvas (React Flow and what only it uses); before `charts`, whose
              // `d3-*` would otherwise take d3-zoom and make the flow page load Recharts.
              name: 'flow',
              test: /node_modules[\\/](@xyflow|zustand|classcat|d3-(zoom|drag|selection|transition))[\\/]/,
            },
            {
              name: 'charts',
              // Recharts with every dependency only it uses: left out, they would land in the page's
              // chunk, which imports the charts chunk that imports them back (a cycle that breaks at
              // run time: "x is not a function").
              test: /node_modules[\\/](recharts|d3-[a-z-]+|internmap|victory-vendor|@reduxjs|redux|redux-thunk|react-redux|reselect|immer|@standard-schema|use-sync-external-store|decimal\.js-light|es-toolkit|eventemitter3|tiny-invariant)[\\/]/,
            },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 120_000,
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores that ran these files one by one.
    maxWorkers: 2,
  },
});
