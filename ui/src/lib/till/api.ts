// The till's commands as typed functions over Tauri's IPC, one per command of the desktop shell
// (pos-app/desktop/src/commands.rs). Top-level arguments are camelCase here (Tauri maps them onto
// the Rust parameters' snake_case names); values nested inside them (RefundItem, SaleLookup,
// the counted map) travel as the Rust views spell them. Every function rejects with an ApiError
// ({code, message}), whatever went wrong, so screens have one error shape to show.

import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { ApiError } from '$lib/bindings/ApiError';
import type { CartView } from '$lib/bindings/CartView';
import type { CompletedSale } from '$lib/bindings/CompletedSale';
import type { CustomerView } from '$lib/bindings/CustomerView';
import type { DeviceKind } from '$lib/bindings/DeviceKind';
import type { DeviceSettings } from '$lib/bindings/DeviceSettings';
import type { DiscountView } from '$lib/bindings/DiscountView';
import type { ParkedView } from '$lib/bindings/ParkedView';
import type { PrinterView } from '$lib/bindings/PrinterView';
import type { ProductHit } from '$lib/bindings/ProductHit';
import type { QuickKeyGroup } from '$lib/bindings/QuickKeyGroup';
import type { ReceiptEmailView } from '$lib/bindings/ReceiptEmailView';
import type { ReceiptPreview } from '$lib/bindings/ReceiptPreview';
import type { RefundDone } from '$lib/bindings/RefundDone';
import type { RefundItem } from '$lib/bindings/RefundItem';
import type { SaleDevicesView } from '$lib/bindings/SaleDevicesView';
import type { SaleLookup } from '$lib/bindings/SaleLookup';
import type { ScanEvent } from '$lib/bindings/ScanEvent';
import type { SessionView } from '$lib/bindings/SessionView';
import type { ShiftReportView } from '$lib/bindings/ShiftReportView';
import type { StaffView } from '$lib/bindings/StaffView';
import type { StockView } from '$lib/bindings/StockView';
import type { SyncView } from '$lib/bindings/SyncView';
import type { ZView } from '$lib/bindings/ZView';
import type { TenderKind } from './kinds';

/** A rejected command: the till's wire error, or one made here for IPC failures. */
export class TillError extends Error implements ApiError {
  readonly code: string;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'TillError';
    this.code = error.code;
  }
}

/** Codes made on this side of the IPC (the till's own codes come from pos-core). */
export const CLIENT_CODES = {
  /** The page is not running inside the Kassa shell (no Tauri IPC). */
  noBackend: 'no_backend',
  /** The shell answered with something that is not the till's error shape. */
  ipc: 'ipc',
  /** The cashier closed a prompt (e.g. the manager PIN) instead of answering it. */
  cancelled: 'cancelled',
} as const;

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever a rejected promise carries into a TillError. */
export function toApiError(error: unknown): TillError {
  if (error instanceof TillError) return error;
  if (isApiError(error)) return new TillError({ code: error.code, message: error.message });
  if (typeof error === 'string') return new TillError({ code: CLIENT_CODES.ipc, message: error });
  if (typeof window !== 'undefined' && !('__TAURI_INTERNALS__' in window)) {
    return new TillError({
      code: CLIENT_CODES.noBackend,
      message: 'The till is not reachable: start Kassa from the desktop app.',
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TillError({ code: CLIENT_CODES.ipc, message });
}

let observer: ((error: TillError) => void) | null = null;

/** Sees every rejected command first (the app refreshes the session on "logged_out"). */
export function observeErrors(callback: ((error: TillError) => void) | null): void {
  observer = callback;
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const tillError = toApiError(error);
    observer?.(tillError);
    throw tillError;
  }
}

// --- session ---------------------------------------------------------------------------------

export const session = () => call<SessionView>('session');

export const setupStandalone = (args: { shopName: string; currency: string; managerName: string; managerPin: string }) =>
  call<SessionView>('setup_standalone', args);

/** Enrolls with a server; "sync" events report the catalog download while this runs. */
/** `caPem`: a company's own CA (PEM text) the till will trust alone for this server. */
export const enroll = (args: { serverUrl: string; code: string; caPem: string | null }) =>
  call<SessionView>('enroll', args);

export const loginPin = (pin: string) => call<SessionView>('login_pin', { pin });

/** Locks the till for the current cashier; the cart stays. */
export const lock = () => call<SessionView>('lock');

/** Refused with code "unsynced_facts" while facts are queued, unless a manager PIN is given. */
export const logout = (managerPin?: string) => call<SessionView>('logout', { managerPin });

/** Who can log in at this till. */
export const staffList = () => call<StaffView[]>('staff_list');

/** Closes the app; with facts still queued a manager's PIN confirms (see onQuitBlocked). */
export const quit = (managerPin?: string) => call<number>('quit', { managerPin });

export const appVersion = () => call<string>('app_version');

// --- catalog ---------------------------------------------------------------------------------

export const search = (query: string, limit: number) => call<ProductHit[]>('search', { query, limit });

export const quickKeys = () => call<QuickKeyGroup[]>('quick_keys');

export const stock = (productId: string) => call<StockView>('stock', { productId });

// --- cart ------------------------------------------------------------------------------------

export const cart = () => call<CartView>('cart');

/** A barcode, SKU or scale label; the same product again bumps the last line's quantity. */
export const scan = (code: string, qtyMilli?: number) => call<CartView>('scan', { code, qtyMilli });

export const addProduct = (productId: string, qtyMilli?: number) =>
  call<CartView>('add_product', { productId, qtyMilli });

/** Quantity 0 removes the line. */
export const setQty = (lineId: string, qtyMilli: number) => call<CartView>('set_qty', { lineId, qtyMilli });

export const removeLine = (lineId: string) => call<CartView>('remove_line', { lineId });

export const setPrice = (lineId: string, unitPriceMinor: number, managerPin?: string) =>
  call<CartView>('set_price', { lineId, unitPriceMinor, managerPin });

export const lineDiscount = (lineId: string, discount: DiscountView | null) =>
  call<CartView>('line_discount', { lineId, discount });

export const cartDiscount = (discount: DiscountView | null) => call<CartView>('cart_discount', { discount });

export const attachCustomer = (customerId: string | null) => call<CartView>('attach_customer', { customerId });

export const addTender = (kind: TenderKind, amountMinor: number, reference?: string) =>
  call<CartView>('add_tender', { kind, amountMinor, reference });

export const removeTender = (index: number) => call<CartView>('remove_tender', { index });

/** Completes a fully tendered cart; a cashier may get manager_approval_required, then retry. */
export const complete = (managerPin?: string) => call<CompletedSale>('complete', { managerPin });

/** The one-key sale: the whole total in exact cash. */
export const payExactCash = (managerPin?: string) => call<CompletedSale>('pay_exact_cash', { managerPin });

/** Voids the live cart (recorded with the reason). */
export const clearCart = (reason: string, managerPin?: string) => call<CartView>('clear_cart', { reason, managerPin });

export const park = (note?: string) => call<CartView>('park', { note });

export const parked = () => call<ParkedView[]>('parked');

export const resume = (parkedId: string) => call<CartView>('resume', { parkedId });

export const voidParked = (parkedId: string, reason: string, managerPin?: string) =>
  call<ParkedView[]>('void_parked', { parkedId, reason, managerPin });

/** Queues a sale's receipt for an email address; the server sends it once the till reaches it. */
export const emailReceipt = (saleId: string, email: string) => call<ReceiptEmailView>('email_receipt', { saleId, email });

/** A sale's receipt again, marked COPY. */
export const receipt = (saleId: string) => call<CompletedSale>('receipt', { saleId });

// --- refunds ---------------------------------------------------------------------------------

/** A receipt number ("7", "#7") or a scanned receipt code, also of another till's sale. */
export const findSale = (text: string) => call<SaleLookup>('find_sale', { text });

/**
 * Refunds items of a found sale: lines by `line_no` for a sale of this till, products by
 * `product_id` for another till's receipt (its lines are not known here).
 */
export const refund = (args: {
  sale: SaleLookup;
  items: RefundItem[];
  to: TenderKind;
  reason: string;
  managerPin?: string;
}) => call<RefundDone>('refund', args);

/** Goods back without a receipt: items by `product_id`. */
export const refundWithoutReceipt = (args: { items: RefundItem[]; to: TenderKind; reason: string; managerPin?: string }) =>
  call<RefundDone>('refund_without_receipt', args);

// --- shift -----------------------------------------------------------------------------------

export const openShift = (floatMinor: number) => call<SessionView>('open_shift', { floatMinor });

export type CashMovementKind = 'paid_in' | 'paid_out' | 'no_sale';

export const cashMovement = (args: { kind: CashMovementKind; amountMinor: number; reason: string; managerPin?: string }) =>
  call<ShiftReportView>('cash_movement', args);

export const xReport = () => call<ShiftReportView>('x_report');

/** Counted amounts per tender kind ("cash", "card"...); cash is required. */
export type Counted = Record<string, number> & { cash: number };

export const previewClose = (counted: Counted) => call<ZView>('preview_close', { counted });

export const closeShift = (counted: Counted, managerPin?: string) => call<ZView>('close_shift', { counted, managerPin });

// --- customers -------------------------------------------------------------------------------

export const customers = (query: string) => call<CustomerView[]>('customers', { query });

export const addCustomer = (args: { name: string; phone?: string; email?: string }) =>
  call<CustomerView>('add_customer', args);

/** A customer pays off debt, in cash into the drawer of the open shift. */
export const debtPayment = (args: { customerId: string; amountMinor: number }) => call<CustomerView>('debt_payment', args);

// --- sync ------------------------------------------------------------------------------------

export const syncStatus = () => call<SyncView>('sync_status');

export const syncNow = () => call<SyncView>('sync_now');

// --- devices -------------------------------------------------------------------------------

/** What the printer and drawer did for a sale, once they are done (else null: wait for the event). */
export const saleDevices = (saleId: string) => call<SaleDevicesView | null>('sale_devices', { saleId });

/** A sale's receipt drawn from the ESC/POS job its printer gets (PNG data URL); `copy` marks it COPY. */
export const receiptPreview = (saleId: string, copy: boolean) =>
  call<ReceiptPreview>('receipt_preview', { saleId, copy });

/** A refund's slip drawn from the ESC/POS job its printer gets (PNG data URL). */
export const refundSlipPreview = (refundId: string) => call<ReceiptPreview>('refund_slip_preview', { refundId });

/** Prints a copy of a sale's receipt, marked COPY. */
export const printCopy = (saleId: string) => call<SaleDevicesView>('print_copy', { saleId });

/** Opens the cash drawer without a sale (a cashier needs a manager's PIN). */
export const openDrawer = (reason: string, managerPin?: string) =>
  call<ShiftReportView>('open_drawer', { reason, managerPin });

/** Sets a weighed line to what the scale reads now. */
export const weigh = (lineId: string) => call<CartView>('weigh', { lineId });

export const deviceSettings = () => call<DeviceSettings>('device_settings');

export const saveDeviceSettings = (settings: DeviceSettings, managerPin?: string) =>
  call<DeviceSettings>('save_device_settings', { settings, managerPin });

/** Tries one device as the form describes it; resolves to what happened, in words. */
export const testDevice = (kind: DeviceKind, settings: DeviceSettings, managerPin?: string) =>
  call<string>('test_device', { kind, settings, managerPin });

/** The printer as last reported (null before the first report). */
export const printerStatus = () => call<PrinterView | null>('printer_status');

// --- events ----------------------------------------------------------------------------------

/** Sync progress and state, pushed by the shell. */
export const onSync = (handler: (view: SyncView) => void): Promise<UnlistenFn> =>
  listen<SyncView>('sync', (event) => handler(event.payload));

/** A code read by a serial scanner the shell drives itself, or why it was refused. */
export const onScan = (handler: (scan: ScanEvent) => void): Promise<UnlistenFn> =>
  listen<ScanEvent>('scan', (event) => handler(event.payload));

/** The receipt printer's state changed (paper out, back online, receipts waiting). */
export const onPrinter = (handler: (view: PrinterView) => void): Promise<UnlistenFn> =>
  listen<PrinterView>('printer', (event) => handler(event.payload));

/** The drawer and printer finished with a sale just completed. */
export const onSaleDevices = (handler: (view: SaleDevicesView) => void): Promise<UnlistenFn> =>
  listen<SaleDevicesView>('sale_devices', (event) => handler(event.payload));

/** The catalog changed under the till (a sync brought prices or products). */
export const onCatalogChanged = (handler: () => void): Promise<UnlistenFn> =>
  listen<null>('catalog_changed', () => handler());

/** The window was asked to close while facts are unsynced: ask a manager, then `quit`. */
export const onQuitBlocked = (handler: (error: ApiError) => void): Promise<UnlistenFn> =>
  listen<ApiError>('quit_blocked', (event) => handler(event.payload));

/** The sync daemon stopped (its reason); the till keeps selling offline. */
export const onSyncStopped = (handler: (reason: string) => void): Promise<UnlistenFn> =>
  listen<string>('sync_stopped', (event) => handler(event.payload));
