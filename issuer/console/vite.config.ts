// One application, two pages: the staff console (index.html, served under
// /console/, docs/console.md) and the applicants' portal (portal.html, served
// under /portal/, docs/portal.md); both load their assets from
// /console/assets/. Hashed asset names so the daemon can cache them for a
// year, no inline script so the Content-Security-Policy can forbid it.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // no data: URLs for scripts; images as files
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { console: 'index.html', portal: 'portal.html' },
      output: {
        manualChunks: { 'element-plus': ['element-plus', '@element-plus/icons-vue'], vue: ['vue', 'vue-router'] },
      },
    },
  },
  server: {
    // `npm run dev` against a local eseal-issuerd (tools/run)
    proxy: { '/api': 'http://127.0.0.1:8441', '/log': 'http://127.0.0.1:8441' },
  },
});
