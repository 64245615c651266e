// Entry of the terminal front end that the Tauri shell loads (built to dist/terminal/).
import '$lib/components/theme.css';
import { mount } from 'svelte';
import App from '../src/terminal/App.svelte';

async function start(): Promise<void> {
  // Dev only (vite dev in a plain browser): an in-memory till stands in for the Tauri shell.
  // import.meta.env.DEV is false in `vite build`, so this import leaves the production bundle.
  if (import.meta.env.DEV && !('__TAURI_INTERNALS__' in window)) {
    const { installFakeTill } = await import('../dev/fake-till');
    installFakeTill();
  }
  mount(App, { target: document.getElementById('app') as HTMLElement });
}

void start();
