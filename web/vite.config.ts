// Builds the page into the Python package, where the companion server serves it.
// Development against a running app (`streamchat --companion-port 8765`):
//   COMPANION_PORT=8765 npm run dev   then open http://localhost:5173/#token=…
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const target = `http://127.0.0.1:${process.env.COMPANION_PORT ?? "8765"}`;

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../streamchat_desktop/companion/static",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0, // no data: URLs for scripts or styles (the CSP allows 'self')
  },
  server: {
    proxy: {
      "/files": { target, changeOrigin: true, headers: { origin: target } },
      "/socket.io": {
        target,
        ws: true,
        changeOrigin: true,
        // The app accepts only its own Origin; present the dev page as the app's.
        configure: (proxy) => {
          proxy.on("proxyReq", (req) => req.setHeader("origin", target));
          proxy.on("proxyReqWs", (req) => req.setHeader("origin", target));
        },
      },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
