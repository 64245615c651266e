// The terminal's live state: the session, the cart and the sync view as the till last reported
// them, plus which screen is in front. Every cart-changing command goes through `cartCommand`,
// which runs them one at a time so the CartViews that come back are applied in order even when
// a scanner fires faster than the till answers.

import type { CartView } from '$lib/bindings/CartView';
import type { CompletedSale } from '$lib/bindings/CompletedSale';
import type { PrinterView } from '$lib/bindings/PrinterView';
import type { SaleDevicesView } from '$lib/bindings/SaleDevicesView';
import type { ScanEvent } from '$lib/bindings/ScanEvent';
import type { SessionView } from '$lib/bindings/SessionView';
import type { SyncView } from '$lib/bindings/SyncView';
import { ErrorSlot } from '$lib/components/error-slot.svelte';
import { FALLBACK_FORMAT } from '$lib/format/context';
import type { MoneyFormat } from '$lib/format/money';
import { i18n, toLocale, type Locale } from '$lib/i18n/index.svelte';
import * as api from '$lib/till/api';

export type Screen = 'sell' | 'pay' | 'receipt' | 'refund' | 'shift' | 'stock' | 'customers' | 'devices';

const LOCALE_KEY = 'kassa.terminal.locale';

class Terminal {
  session = $state<SessionView | null>(null);
  cart = $state<CartView | null>(null);
  sync = $state<SyncView | null>(null);
  screen = $state<Screen>('sell');
  /** The sale just completed, shown on the receipt screen until "New sale". */
  completed = $state<CompletedSale | null>(null);
  /** The receipt printer as last reported by the shell (null: not known yet). */
  printer = $state<PrinterView | null>(null);
  /** What the printer and drawer did for the sales completed lately, newest last. */
  saleDevices = $state<SaleDevicesView[]>([]);
  /** The cart line the keyboard acts on (+, -, Delete, F4); follows the last scan. */
  selectedLine = $state<number | null>(null);
  /** Bumped when the catalog changed under the till, so quick keys reload. */
  catalogVersion = $state(0);
  /** Errors of the sell screen, also filled by scans arriving on other screens. */
  readonly sellErrors = new ErrorSlot();

  /** How money, quantities and times read: the shop's currency and zone, the UI's language. */
  format: MoneyFormat = $derived.by(() => {
    const terminal = this.session?.terminal;
    if (!terminal) return { ...FALLBACK_FORMAT, locale: i18n.locale };
    return {
      currency: terminal.currency,
      minorDigits: terminal.minor_digits,
      locale: i18n.locale,
      timeZone: terminal.time_zone,
    };
  });

  private queue: Promise<unknown> = Promise.resolve();

  /** Applies a SessionView, and the shop's language unless the cashier chose one. */
  setSession(view: SessionView): void {
    const first = this.session?.terminal == null && view.terminal !== null;
    this.session = view;
    if (first && view.terminal) i18n.locale = storedLocale() ?? toLocale(view.terminal.locale);
  }

  /** The cashier's language choice, kept on this machine. */
  chooseLocale(locale: Locale): void {
    i18n.locale = locale;
    try {
      localStorage.setItem(LOCALE_KEY, locale);
    } catch {
      // Storage may be unavailable; the choice then lasts until restart.
    }
  }

  /** Runs a cart command after the ones before it and shows the cart it returns. */
  cartCommand(work: () => Promise<CartView>): Promise<CartView> {
    const next = this.queue.then(work).then((view) => {
      this.applyCart(view);
      return view;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  applyCart(view: CartView): void {
    this.cart = view;
    if (view.last_line_no !== null) this.selectedLine = view.last_line_no;
    else if (!view.lines.some((line) => line.line_no === this.selectedLine)) {
      this.selectedLine = view.lines.at(-1)?.line_no ?? null;
    }
  }

  /** Reloads the cart from the till (after a sale, a resume, a restart). */
  async reloadCart(): Promise<void> {
    await this.cartCommand(() => api.cart());
  }

  /** Shows the receipt of a sale just completed. */
  showCompleted(sale: CompletedSale): void {
    this.completed = sale;
    this.screen = 'receipt';
    // The till starts an empty cart after completing; fetch it so the sell screen is current.
    void this.reloadCart().catch(() => undefined);
  }

  /** Leaves the receipt for the next customer. */
  newSale(): void {
    this.completed = null;
    this.screen = 'sell';
  }

  /** Keeps what the devices did for a sale (the receipt screen shows it). */
  noteSaleDevices(view: SaleDevicesView): void {
    this.saleDevices = [...this.saleDevices.filter((v) => v.sale_id !== view.sale_id).slice(-9), view];
  }

  /**
   * A serial scanner's read: a code goes where a keyboard-wedge scan would; a refused one (bad
   * check digit, unknown symbology) shows on the sell screen, or as a toast elsewhere.
   */
  serialScan(scan: ScanEvent, route: (code: string) => boolean, warn: (message: string) => void): void {
    if (scan.code !== null) {
      route(scan.code);
    } else if (scan.error) {
      this.sellErrors.show(scan.error.code, scan.error.message);
      if (this.screen !== 'sell') warn(scan.error.message);
    }
  }

  /** A scan that adds to the cart, from whatever screen it arrived on. */
  scanIntoCart(code: string, qtyMilli?: number): Promise<CartView | undefined> {
    return this.sellErrors.run(() => this.cartCommand(() => api.scan(code, qtyMilli)));
  }
}

function storedLocale(): Locale | null {
  try {
    const value = localStorage.getItem(LOCALE_KEY);
    return value === 'en' || value === 'de' ? value : null;
  } catch {
    return null;
  }
}

export const terminal = new Terminal();
