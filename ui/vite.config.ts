// One Vite build per front end, sharing src/lib:
//   `vite build --mode terminal` turns terminal/index.html into dist/terminal/ (its own
//   index.html and assets with relative URLs, so the Tauri shell can point frontendDist at that
//   folder alone);
//   `vite build --mode portal` turns portal/index.html into dist/portal/, which sync-server
//   serves at "/" (absolute asset URLs under /assets/, since the portal's paths are real URLs
//   such as /products and the server answers them all with index.html).
// Any other mode (tools loading this file, plain `vite`) means the terminal.
//
// The portal's dev server (`npm run dev:portal`, :5173) and preview (`npm run preview:portal`,
// :4173) proxy /api, WebSocket included, to the server at KASSA_API_URL (default
// http://127.0.0.1:8000), so the browser sees one origin as it will when the server serves the
// portal. KASSA_PORTAL_SHIM=1 adds dev/portal-shim.ts (dev only, never built): the browser
// session cookie and the dashboard's analytics computed from the server's orders, for servers
// that do not have them yet.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type PluginOption, type ProxyOptions } from 'vite';

const apps = ['terminal', 'portal'] as const;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig(async ({ mode, command }) => {
  const app = apps.find((name) => name === mode) ?? 'terminal';
  const shared = {
    root: here(`./${app}`),
    resolve: { alias: { $lib: here('./src/lib') } },
    build: {
      outDir: here(`./dist/${app}`),
      emptyOutDir: true,
      sourcemap: false,
    },
  };
  const plugins: PluginOption[] = [svelte({ configFile: here('./svelte.config.js') })];

  if (app === 'terminal') {
    return {
      ...shared,
      // Relative asset URLs: the page works from Tauri's asset protocol and from any sub-path.
      base: './',
      plugins,
      // Tauri's dev server convention; the desktop shell's devUrl points here.
      server: { port: 1420, strictPort: true },
    };
  }

  const target = process.env.KASSA_API_URL ?? 'http://127.0.0.1:8000';
  const proxy: Record<string, ProxyOptions> = { '/api': { target, ws: true } };
  if (command === 'serve' && process.env.KASSA_PORTAL_SHIM === '1') {
    const { portalShim } = await import('./dev/portal-shim.ts');
    plugins.push(portalShim(target));
  }
  return {
    ...shared,
    base: '/',
    plugins,
    server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
    preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
  };
});
