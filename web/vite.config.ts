// Built into dist/ and served by `os1 serve` at / under a strict
// Content-Security-Policy: no inline script or style, nothing from other origins.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    // Every asset a file of its own: `data:` URLs would need a looser policy.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  // `npm run dev` against a local `os1 serve --no-auth` (started with --allow-origin http://localhost:5173).
  server: { port: 5173, strictPort: true },
});
