import { defineConfig } from 'vitest/config';

/**
 * One self-contained IIFE (`dist/widget.js`) that a business's page loads with a single <script> tag:
 * no chunks, no CSS file (styles live in the Shadow DOM), nothing global but what the page can see.
 */
export default defineConfig({
  build: {
    outDir: process.env.WIDGET_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
    lib: {
      entry: 'src/main.ts',
      formats: ['iife'],
      name: 'IcmpWidget',
      fileName: () => 'widget.js',
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.ts'],
    testTimeout: 20000,
  },
});
