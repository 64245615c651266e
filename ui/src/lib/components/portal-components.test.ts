import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet } from 'svelte';
import LoadState from './LoadState.svelte';
import Pager from './Pager.svelte';

const text = (value: string) => createRawSnippet(() => ({ render: () => `<p>${value}</p>` }));

afterEach(() => {
  document.body.innerHTML = '';
});

describe('LoadState', () => {
  it('shows loading, then the content', async () => {
    const view = render(LoadState, { loading: true, children: text('rows') });
    expect(screen.getByRole('status').textContent).toContain('Loading');
    expect(screen.queryByText('rows')).toBeNull();
    await view.rerender({ loading: false, children: text('rows') });
    expect(screen.getByText('rows')).toBeTruthy();
    await view.rerender({ loading: true, children: text('rows') });
    expect(screen.getByText('rows'), 'a reload keeps the data on screen').toBeTruthy();
  });

  it('shows the error with a retry, and the empty text', async () => {
    const onretry = vi.fn();
    const view = render(LoadState, { loading: false, error: { code: 'network', message: 'No answer.' }, onretry, children: text('rows') });
    expect(screen.getByRole('alert').textContent).toContain('No answer.');
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onretry).toHaveBeenCalledOnce();
    await view.rerender({ loading: false, error: null, empty: true, emptyText: 'Nothing yet.', children: text('rows') });
    expect(screen.getByText('Nothing yet.')).toBeTruthy();
  });
});

describe('Pager', () => {
  it('offers the next page while there is one, and hides on a single page', async () => {
    const onpage = vi.fn();
    const view = render(Pager, { page: 0, hasNext: true, onpage, label: 'Pages' });
    expect((screen.getByRole('button', { name: /Previous/ }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    expect(onpage).toHaveBeenCalledWith(1);
    await view.rerender({ page: 0, hasNext: false, onpage, label: 'Pages' });
    expect(screen.queryByRole('navigation'), 'one page: no pager').toBeNull();
  });
});
