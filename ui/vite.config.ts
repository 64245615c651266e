// One Vite build per front end: `vite build --mode terminal` turns terminal/index.html into
// dist/terminal/ (its own index.html and assets, so the Tauri shell can point frontendDist at
// that folder alone). The portal and storefront will be further modes sharing src/lib; any
// other mode (tools loading this file, plain `vite`) means the terminal.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const apps = ['terminal'] as const;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig(({ mode }) => {
  const app = apps.find((name) => name === mode) ?? 'terminal';
  return {
    root: here(`./${app}`),
    // Relative asset URLs: the page works from Tauri's asset protocol and from any sub-path.
    base: './',
    plugins: [svelte({ configFile: here('./svelte.config.js') })],
    resolve: { alias: { $lib: here('./src/lib') } },
    // Tauri's dev server convention; the desktop shell's devUrl points here.
    server: { port: 1420, strictPort: true },
    build: {
      outDir: here(`./dist/${app}`),
      emptyOutDir: true,
      sourcemap: false,
    },
  };
});
