import { defineConfig } from "vite";

// Fixed file names (no content hashes): src/server/web_assets.cmake compiles whatever Vite writes into
// the binary, and the page is served with Cache-Control: no-cache, so names need not change to refresh.
// Vega, Vega-Lite and vega-embed are not bundled: index.html loads the builds crsguard already holds.
export default defineConfig({
  build: {
    target: "es2022",
    sourcemap: false,
    modulePreload: false,
    rollupOptions: {
      output: {
        entryFileNames: "assets/app.js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
});
