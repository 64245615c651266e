// Entry of the manager's web portal (built to dist/portal/, served by sync-server at "/").
import '$lib/components/theme.css';
import '$lib/components/theme-dark.css';
import '../src/portal/portal.css';
import { mount } from 'svelte';
import App from '../src/portal/App.svelte';
import { preferences } from '../src/portal/app.svelte';

preferences.init();
mount(App, { target: document.getElementById('app') as HTMLElement });
