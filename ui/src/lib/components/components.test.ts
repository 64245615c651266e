import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '$lib/i18n/index.svelte';
import { createRawSnippet, flushSync } from 'svelte';
import Button from './Button.svelte';
import Keypad from './Keypad.svelte';
import PinEntry from './PinEntry.svelte';

const text = (value: string) => createRawSnippet(() => ({ render: () => `<span>${value}</span>` }));

afterEach(() => {
  i18n.locale = 'en';
  document.body.innerHTML = '';
});

describe('Button', () => {
  it('shows its shortcut, in the keyboard’s words', () => {
    render(Button, { shortcut: 'Ctrl+L', children: text('Lock') });
    expect(screen.getByRole('button').getAttribute('aria-keyshortcuts')).toBe('Ctrl+L');
    expect(screen.getByText('Ctrl+L').tagName).toBe('KBD');
    i18n.locale = 'de';
    flushSync();
    expect(screen.getByRole('button').querySelector('kbd')?.textContent, 'German keyboards say Strg').toBe('Strg+L');
  });
});

describe('Keypad', () => {
  it('reports taps without taking the focus from the field it types into', async () => {
    const keys: string[] = [];
    render(Keypad, { onkey: (key: string) => keys.push(key), decimal: ',', enterLabel: 'OK' });
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    const seven = screen.getByRole('button', { name: '7' });
    const down = new PointerEvent('pointerdown', { bubbles: true, cancelable: true });
    seven.dispatchEvent(down);
    expect(down.defaultPrevented, 'a tap must not move the focus').toBe(true);
    expect(document.activeElement).toBe(input);
    await fireEvent.pointerDown(screen.getByRole('button', { name: ',' }));
    await fireEvent.pointerDown(screen.getByRole('button', { name: 'OK' }));
    expect(keys).toEqual(['7', ',', 'enter']);
  });
});

describe('PinEntry', () => {
  it('submits a typed PIN on Enter and a tapped one on OK', async () => {
    const onsubmit = vi.fn();
    render(PinEntry, { value: '', id: 'pin-input', label: 'PIN', onsubmit });
    const input = document.getElementById('pin-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '1111' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onsubmit).toHaveBeenLastCalledWith('1111');
    await fireEvent.input(input, { target: { value: '' } });
    for (const digit of ['4', '3', '2', '1']) await fireEvent.pointerDown(screen.getByRole('button', { name: digit }));
    await fireEvent.pointerDown(screen.getByRole('button', { name: 'OK' }));
    expect(onsubmit).toHaveBeenLastCalledWith('4321');
  });
});
