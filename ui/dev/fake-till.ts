// DEV ONLY. An in-memory stand-in for the Tauri shell's till commands, so the terminal screens
// can be looked at and clicked through in a plain browser (`npm run dev`). It is imported only
// behind `import.meta.env.DEV` (terminal/main.ts), so `vite build` leaves it out; nothing here
// is how the real till (pos-core) decides anything.
//
// URL parameters: ?fake=fresh (first run) | pin (PIN screen, default) | sell (Alex signed in,
// a few items in the cart) | pay (also a customer and a card tender); &currency=JPY; &locale=de;
// &offline=1; &noshift=1.
// PINs: Alex 1111 and Sam 2222 (cashiers), Bo 4321 (manager).

import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import type { CartLineView } from '../src/lib/bindings/CartLineView';
import type { CartView } from '../src/lib/bindings/CartView';
import type { CompletedSale } from '../src/lib/bindings/CompletedSale';
import type { CustomerView } from '../src/lib/bindings/CustomerView';
import type { DiscountView } from '../src/lib/bindings/DiscountView';
import type { ParkedView } from '../src/lib/bindings/ParkedView';
import type { ProductHit } from '../src/lib/bindings/ProductHit';
import type { RefundItem } from '../src/lib/bindings/RefundItem';
import type { SaleLookup } from '../src/lib/bindings/SaleLookup';
import type { SessionView } from '../src/lib/bindings/SessionView';
import type { ShiftReportView } from '../src/lib/bindings/ShiftReportView';
import type { SyncView } from '../src/lib/bindings/SyncView';
import type { TenderView } from '../src/lib/bindings/TenderView';
import type { ZView } from '../src/lib/bindings/ZView';

type Args = Record<string, unknown>;

interface Product extends ProductHit {
  taxBp: number;
}

interface Line {
  id: string;
  product: Product;
  qty: number;
  price: number;
  discount: DiscountView | null;
}

interface Sale {
  id: string;
  no: number;
  at: number;
  lines: { line_no: number; product: Product; qty: number; gross: number; refunded: number }[];
  total: number;
  paid: number;
  change: number;
  tenders: string[];
  text: string;
}

class FakeError {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

const params = new URLSearchParams(location.search);
const scene = params.get('fake') ?? 'pin';
const currency = params.get('currency') ?? 'EUR';
const digits = currency === 'JPY' ? 0 : 2;
const scale = 10 ** digits;
const now = (): number => Date.now();
let nextId = 1;
const id = (prefix: string): string => `${prefix}-${nextId++}`;

const STAFF = [
  { id: 'st-alex', name: 'Alex', role: 'cashier', pin: '1111' },
  { id: 'st-sam', name: 'Sam', role: 'cashier', pin: '2222' },
  { id: 'st-bo', name: 'Bo', role: 'shop_manager', pin: '4321' },
];

function product(sku: string, name: string, major: number, category: string, barcode: string | null, weighed = false): Product {
  return {
    id: `p-${sku}`,
    sku,
    name,
    barcode,
    price_minor: Math.round(major * scale),
    category,
    sold_by_weight: weighed,
    on_hand_milli: weighed ? 12_500 : 24_000,
    taxBp: category === 'Drinks' ? 1900 : 700,
  };
}

const CATALOG: Product[] = [
  product('MILK', 'Milk 1L', 1.29, 'Dairy', '4006381333931'),
  product('BUTTER', 'Butter 250 g', 2.49, 'Dairy', '4006381333948'),
  product('YOG', 'Yoghurt natural 500 g', 1.19, 'Dairy', '4006381333955'),
  product('CHEESE', 'Gouda slices 200 g', 2.79, 'Dairy', '4006381333962'),
  product('BREAD', 'Sourdough loaf', 3.9, 'Bakery', null),
  product('ROLL', 'Bread roll', 0.45, 'Bakery', null),
  product('CROIS', 'Butter croissant', 1.2, 'Bakery', null),
  product('PRETZ', 'Pretzel', 0.95, 'Bakery', null),
  product('APPLE', 'Apples Elstar', 2.99, 'Produce', null, true),
  product('BANANA', 'Bananas', 1.79, 'Produce', null, true),
  product('TOMATO', 'Vine tomatoes', 3.49, 'Produce', null, true),
  product('WATER', 'Sparkling water 1.5 L', 0.79, 'Drinks', '4006381334006'),
  product('COLA', 'Cola 0.5 L', 1.49, 'Drinks', '4006381334013'),
  product('JUICE', 'Orange juice 1 L', 2.29, 'Drinks', '4006381334020'),
  product('COFFEE', 'Coffee beans 500 g', 8.99, 'Drinks', '4006381334037'),
  product('CHOC', 'Dark chocolate 100 g', 1.99, 'Snacks', '4006381334044'),
  product('CHIPS', 'Potato chips 175 g', 1.89, 'Snacks', '4006381334051'),
  product('NUTS', 'Salted peanuts 200 g', 2.19, 'Snacks', '4006381334068'),
];
for (let i = 1; i <= 5000; i += 1) {
  const n = String(i).padStart(5, '0');
  CATALOG.push(product(`GEN${n}`, `Household item ${n}`, 0.5 + (i % 40) * 0.25, 'Household', `20000${n}00001`));
}

const customers: CustomerView[] = [
  { id: 'c-ana', name: 'Ana Berg', phone: '+49 30 1234567', email: 'ana@example.com', balance_minor: 2450, credit_limit_minor: 10000 },
  { id: 'c-ben', name: 'Ben Ochs', phone: null, email: 'ben@example.com', balance_minor: -1500, credit_limit_minor: 5000 },
  { id: 'c-cem', name: 'Cem Yilmaz', phone: '+49 170 5550101', email: null, balance_minor: 0, credit_limit_minor: 0 },
];

const state = {
  terminal: scene === 'fresh' ? null : terminalView(),
  staff: null as (typeof STAFF)[number] | null,
  locked: false,
  shift:
    params.has('noshift') || scene === 'fresh'
      ? null
      : { id: 'sh-1', opened_by: 'Alex', opened_at_ms: now() - 3 * 3600_000, opening_float_minor: 100 * scale },
  lines: [] as Line[],
  cartDiscount: null as DiscountView | null,
  customerId: null as string | null,
  tenders: [] as TenderView[],
  lastLineNo: null as number | null,
  warnings: [] as string[],
  parked: [] as (ParkedView & { lines_: Line[] })[],
  sales: [] as Sale[],
  movements: { paid_in: 0, paid_out: 0, no_sale: 0, debt: 0 },
  refunds: { count: 0, total: 0, cash: 0 },
  queued: 3,
  lastSync: now() - 40_000,
  online: !params.has('offline'),
};

function terminalView(): NonNullable<SessionView['terminal']> {
  return {
    terminal_id: 'T-0001',
    shop_name: 'Corner Shop Downtown',
    company_name: 'Demo Retail GmbH',
    currency,
    minor_digits: digits,
    cash_rounding_minor: currency === 'CHF' ? 5 : 1,
    locale: params.get('locale') ?? 'en',
    time_zone: 'Europe/Berlin',
    enrolled: true,
    server_url: 'https://kassa.example.com',
  };
}

function session(): SessionView {
  return {
    terminal: state.terminal,
    staff: state.staff ? { id: state.staff.id, name: state.staff.name, role: state.staff.role } : null,
    locked: state.locked,
    shift: state.shift,
    idle_lock_secs: 300,
  };
}

function signedIn(): (typeof STAFF)[number] {
  if (!state.staff || state.locked) throw new FakeError('logged_out', 'Log in with your PIN first.');
  return state.staff;
}

/** A manager's PIN, or the error asking for one, for something a cashier may not do alone. */
function approve(what: string, pin: unknown): void {
  const staff = signedIn();
  if (staff.role !== 'cashier') return;
  if (typeof pin !== 'string') throw new FakeError('manager_approval_required', `${what} needs a manager's approval: ask a manager for their PIN.`);
  const manager = STAFF.find((s) => s.pin === pin);
  if (!manager) throw new FakeError('wrong_pin', 'That PIN is not right. Try again.');
  if (manager.role === 'cashier') throw new FakeError('manager_approval_required', `${manager.name} is not a manager: a manager's PIN is needed.`);
}

function discountOf(discount: DiscountView | null, base: number): number {
  if (!discount) return 0;
  return discount.kind === 'percent' ? Math.round((base * discount.bp) / 10000) : Math.min(base, discount.minor);
}

function cart(): CartView {
  const lines: CartLineView[] = state.lines.map((line, i) => {
    const list = Math.round((line.price * line.qty) / 1000);
    const discount = discountOf(line.discount, list);
    return {
      line_no: i + 1,
      id: line.id,
      product_id: line.product.id,
      sku: line.product.sku,
      name: line.product.name,
      qty_milli: line.qty,
      unit_price_minor: line.price,
      sold_by_weight: line.product.sold_by_weight,
      list_minor: list,
      discount_minor: discount,
      gross_minor: list - discount,
      discount: line.discount,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.gross_minor, 0);
  const discount = discountOf(state.cartDiscount, subtotal);
  const total = subtotal - discount;
  const tax = state.lines.reduce((sum, line, i) => {
    const gross = lines[i]?.gross_minor ?? 0;
    return sum + Math.round((gross * line.product.taxBp) / (10000 + line.product.taxBp));
  }, 0);
  const paid = state.tenders.reduce((sum, tender) => sum + tender.amount_minor, 0);
  return {
    lines,
    discount: state.cartDiscount,
    customer: customers.find((c) => c.id === state.customerId) ?? null,
    tenders: state.tenders,
    subtotal_minor: subtotal,
    discount_minor: discount,
    tax_minor: tax,
    total_minor: total,
    paid_minor: paid,
    change_minor: Math.max(0, paid - total),
    due_minor: Math.max(0, total - paid),
    parked_id: null,
    last_line_no: state.lastLineNo,
    warnings: state.warnings,
  };
}

function findProduct(code: string): Product {
  const text = code.trim();
  const found = CATALOG.find((p) => p.barcode === text || p.sku.toLowerCase() === text.toLowerCase());
  if (!found) throw new FakeError('unknown_barcode', `No product has the code ${text}. Check the code or search by name.`);
  return found;
}

function addLine(p: Product, qty: number | undefined, seeding = false): CartView {
  signedIn();
  if (!state.shift && !seeding) throw new FakeError('no_open_shift', 'No shift is open: open one with the float first.');
  state.warnings = [];
  const last = state.lines.at(-1);
  if (last && last.product.id === p.id && !p.sold_by_weight && qty === undefined) {
    last.qty += 1000;
    state.lastLineNo = state.lines.length;
  } else {
    state.lines.push({ id: id('line'), product: p, qty: qty ?? (p.sold_by_weight ? 750 : 1000), price: p.price_minor, discount: null });
    state.lastLineNo = state.lines.length;
  }
  if (p.sku === 'NUTS') state.warnings = [`${p.name} is now at -1 on hand`];
  return cart();
}

function line(lineId: unknown): Line {
  const found = state.lines.find((l) => l.id === lineId);
  if (!found) throw new FakeError('not_found', 'That line is gone: the cart changed.');
  return found;
}

function money(minor: number): string {
  return (minor / scale).toFixed(digits);
}

function receiptText(sale: Omit<Sale, 'text'>, copy: boolean): string {
  const width = 42;
  const row = (left: string, right: string): string => left.slice(0, width - right.length - 1).padEnd(width - right.length) + right;
  const center = (text: string): string => text.padStart(Math.floor((width + text.length) / 2)).padEnd(width);
  const out = [center('Corner Shop Downtown'), center('Demo Retail GmbH'), center('Main Street 1, Berlin'), ''];
  if (copy) out.push(center('*** COPY ***'), '');
  out.push(row(`Receipt #${sale.no}`, new Date(sale.at).toISOString().slice(0, 16).replace('T', ' ')), '-'.repeat(width));
  for (const l of sale.lines) {
    out.push(l.product.name.slice(0, width));
    out.push(row(`  ${(l.qty / 1000).toString()} x ${money(l.product.price_minor)}`, money(l.gross)));
  }
  out.push('-'.repeat(width), row('TOTAL', `${currency} ${money(sale.total)}`), row('Paid', money(sale.paid)), row('Change', money(sale.change)));
  out.push('', center('Thank you!'));
  return out.join('\n');
}

function completeSale(): CompletedSale {
  signedIn();
  const view = cart();
  if (view.lines.length === 0) throw new FakeError('empty_cart', 'The cart is empty: scan an item first.');
  if (view.due_minor > 0) throw new FakeError('insufficient_tender', `${money(view.due_minor)} is still due: add a tender.`);
  const onAccount = state.tenders.filter((t) => t.kind === 'on_account').reduce((s, t) => s + t.amount_minor, 0);
  const customer = view.customer;
  if (customer && onAccount > 0) {
    if (customer.balance_minor + onAccount > customer.credit_limit_minor) {
      throw new FakeError('credit_limit_exceeded', `${customer.name} would go over their credit limit: take another tender.`);
    }
    customer.balance_minor += onAccount;
  }
  const base = {
    id: id('sale'),
    no: state.sales.length + 1,
    at: now(),
    lines: view.lines.map((l, i) => ({ line_no: l.line_no, product: state.lines[i]?.product ?? findProduct(l.sku), qty: l.qty_milli, gross: l.gross_minor, refunded: 0 })),
    total: view.total_minor,
    paid: view.paid_minor,
    change: view.change_minor,
    tenders: [...new Set(state.tenders.map((t) => t.kind))],
  };
  const sale: Sale = { ...base, text: receiptText(base, false) };
  state.sales.push(sale);
  state.lines = [];
  state.tenders = [];
  state.cartDiscount = null;
  state.customerId = null;
  state.lastLineNo = null;
  state.warnings = [];
  state.queued += 2;
  return {
    sale_id: sale.id,
    receipt_no: sale.no,
    total_minor: sale.total,
    paid_minor: sale.paid,
    change_minor: sale.change,
    receipt_text: sale.text,
    receipt_qr: `T-0001;${sale.no};${sale.total};${sale.id};c2lnbmF0dXJlLWRldi1vbmx5`,
    warnings: [],
    customer_email: null,
  };
}

function report(): ShiftReportView {
  const tenders: Record<string, number> = {};
  for (const sale of state.sales) {
    for (const kind of sale.tenders) tenders[kind] = (tenders[kind] ?? 0) + (kind === 'cash' ? sale.paid - sale.change : sale.total);
  }
  const float = state.shift?.opening_float_minor ?? 0;
  const cash = float + (tenders['cash'] ?? 0) + state.movements.paid_in - state.movements.paid_out + state.movements.debt - state.refunds.cash;
  return {
    shift_id: state.shift?.id ?? 'none',
    opening_float_minor: float,
    sales_count: state.sales.length,
    sales_total_minor: state.sales.reduce((s, sale) => s + sale.total, 0),
    discount_minor: 0,
    tax_minor: 0,
    refunds_count: state.refunds.count,
    refunds_total_minor: state.refunds.total,
    paid_in_minor: state.movements.paid_in,
    paid_out_minor: state.movements.paid_out,
    no_sale_count: state.movements.no_sale,
    debt_payments_minor: state.movements.debt,
    tenders,
    expected: { cash, ...(tenders['card'] ? { card: tenders['card'] } : {}) },
  };
}

function zView(counted: Record<string, number>, final: boolean): ZView {
  const r = report();
  const variance: Record<string, number> = {};
  for (const kind of new Set([...Object.keys(r.expected), ...Object.keys(counted)])) {
    variance[kind] = (counted[kind] ?? 0) - (r.expected[kind] ?? 0);
  }
  return {
    z_number: final ? 1 : 0,
    closed_at_ms: now(),
    closed_by: state.staff?.name ?? '',
    approved_by: null,
    report: r,
    counted,
    variance,
    needs_manager: Math.abs(variance['cash'] ?? 0) > 5 * scale,
    final_report: final,
  };
}

function syncView(): SyncView {
  return {
    mode: 'enrolled',
    online: state.online,
    queued: state.queued,
    last_sync_ms: state.lastSync,
    last_error: state.online ? null : 'The server is not reachable; sales wait on this till.',
    catching_up: null,
    exceptions: [
      {
        id: 'x-1',
        kind: 'oversold',
        product: 'Nuts 200 g',
        qty_milli: -3000,
        detail: 'sold below zero stock (thousandths): p-nuts now -3000',
        at_ms: now() - 3_600_000,
      },
    ],
  };
}

function refundDone(total: number, to: string, items: string[]): { refund_id: string; total_minor: number; tender_kind: string; slip_text: string } {
  state.refunds.count += 1;
  state.refunds.total += total;
  if (to === 'cash') state.refunds.cash += total;
  return {
    refund_id: id('refund'),
    total_minor: total,
    tender_kind: to,
    slip_text: ['REFUND', ...items, `Total ${money(total)} to ${to}`].join('\n'),
  };
}

const commands: Record<string, (a: Args) => unknown> = {
  app_version: () => '0.1.0-dev',
  session: () => session(),
  setup_standalone: (a) => {
    state.terminal = { ...terminalView(), shop_name: String(a['shopName']), currency: String(a['currency']), enrolled: false, server_url: null };
    STAFF.push({ id: 'st-new', name: String(a['managerName']), role: 'shop_manager', pin: String(a['managerPin']) });
    return session();
  },
  enroll: async (a) => {
    if (!String(a['serverUrl']).startsWith('http')) throw new FakeError('invalid_input', 'The server address must start with http:// or https://.');
    for (let done = 0; done <= 10; done += 1) {
      await emit('sync', { ...syncView(), mode: 'enrolling', catching_up: { done, total: 10 } });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    state.terminal = terminalView();
    return session();
  },
  login_pin: (a) => {
    const staff = STAFF.find((s) => s.pin === a['pin']);
    if (!staff) throw new FakeError('wrong_pin', 'Wrong PIN: 4 tries left before PIN entry locks for 5 minutes.');
    state.staff = staff;
    state.locked = false;
    return session();
  },
  lock: () => {
    signedIn();
    state.locked = true;
    return session();
  },
  logout: (a) => {
    if (state.queued > 0 && typeof a['managerPin'] !== 'string') {
      throw new FakeError('unsynced_facts', `${state.queued} facts are not on the server yet: a manager's PIN lets you log out anyway.`);
    }
    state.staff = null;
    state.locked = false;
    return session();
  },
  staff_list: () => STAFF.map(({ id: staffId, name, role }) => ({ id: staffId, name, role })),
  quit: () => 0,
  search: (a) => {
    const q = String(a['query']).toLowerCase();
    return CATALOG.filter((p) => p.name.toLowerCase().includes(q) || p.sku.toLowerCase().startsWith(q) || (p.barcode ?? '').startsWith(q)).slice(0, Number(a['limit']));
  },
  quick_keys: () =>
    ['Bakery', 'Produce', 'Drinks', 'Dairy', 'Snacks'].map((category) => ({ category, products: CATALOG.filter((p) => p.category === category) })),
  stock: (a) => {
    const p = CATALOG.find((c) => c.id === a['productId']);
    if (!p) throw new FakeError('unknown_product', 'No such product.');
    return { product_id: p.id, sku: p.sku, name: p.name, on_hand_milli: p.on_hand_milli ?? 0, server_milli: (p.on_hand_milli ?? 0) + 2000, pending_milli: -2000 };
  },
  cart: () => cart(),
  scan: (a) => addLine(findProduct(String(a['code'])), a['qtyMilli'] as number | undefined),
  add_product: (a) => {
    const p = CATALOG.find((c) => c.id === a['productId']);
    if (!p) throw new FakeError('unknown_product', 'No such product.');
    return addLine(p, a['qtyMilli'] as number | undefined);
  },
  set_qty: (a) => {
    const l = line(a['lineId']);
    const qty = Number(a['qtyMilli']);
    if (qty === 0) state.lines = state.lines.filter((x) => x !== l);
    else l.qty = qty;
    state.lastLineNo = state.lines.indexOf(l) + 1 || null;
    return cart();
  },
  remove_line: (a) => {
    const l = line(a['lineId']);
    state.lines = state.lines.filter((x) => x !== l);
    state.lastLineNo = null;
    return cart();
  },
  set_price: (a) => {
    const l = line(a['lineId']);
    approve('A price change', a['managerPin']);
    l.price = Number(a['unitPriceMinor']);
    return cart();
  },
  line_discount: (a) => {
    line(a['lineId']).discount = (a['discount'] as DiscountView | null) ?? null;
    return cart();
  },
  cart_discount: (a) => {
    const discount = (a['discount'] as DiscountView | null) ?? null;
    if (discount?.kind === 'percent' && discount.bp > 2000) approve('A discount above 20 %', a['managerPin']);
    state.cartDiscount = discount;
    return cart();
  },
  attach_customer: (a) => {
    state.customerId = (a['customerId'] as string | null) ?? null;
    return cart();
  },
  add_tender: (a) => {
    const kind = String(a['kind']);
    const amount = Number(a['amountMinor']);
    const view = cart();
    if (kind !== 'cash' && amount > view.due_minor) throw new FakeError('tender_rejected', `A ${kind} tender cannot be more than is due (${money(view.due_minor)}).`);
    if ((kind === 'store_credit' || kind === 'on_account') && !view.customer) throw new FakeError('tender_rejected', 'Attach a customer first.');
    state.tenders.push({ index: state.tenders.length, kind, amount_minor: amount, reference: (a['reference'] as string | undefined) ?? null });
    return cart();
  },
  remove_tender: (a) => {
    state.tenders = state.tenders.filter((t) => t.index !== a['index']).map((t, index) => ({ ...t, index }));
    return cart();
  },
  complete: () => completeSale(),
  pay_exact_cash: () => {
    const view = cart();
    if (view.lines.length === 0) throw new FakeError('empty_cart', 'The cart is empty: scan an item first.');
    if (view.due_minor > 0) state.tenders.push({ index: state.tenders.length, kind: 'cash', amount_minor: view.due_minor, reference: null });
    return completeSale();
  },
  clear_cart: (a) => {
    if (state.lines.length > 0) approve('Voiding a sale', a['managerPin']);
    state.lines = [];
    state.tenders = [];
    state.cartDiscount = null;
    state.customerId = null;
    state.lastLineNo = null;
    return cart();
  },
  park: (a) => {
    const staff = signedIn();
    const view = cart();
    state.parked.push({
      id: id('park'),
      staff_name: staff.name,
      parked_at_ms: now(),
      lines: view.lines.length,
      note: (a['note'] as string | undefined) ?? null,
      total_minor: view.total_minor,
      lines_: state.lines,
    });
    state.lines = [];
    state.tenders = [];
    state.lastLineNo = null;
    return cart();
  },
  parked: () => state.parked.map(({ lines_: _lines, ...rest }) => rest),
  resume: (a) => {
    if (state.lines.length > 0) throw new FakeError('invalid_input', 'Park or finish the current sale before resuming another.');
    const entry = state.parked.find((p) => p.id === a['parkedId']);
    if (!entry) throw new FakeError('not_found', 'That parked sale is gone.');
    state.lines = entry.lines_;
    state.parked = state.parked.filter((p) => p !== entry);
    return cart();
  },
  void_parked: (a) => {
    approve('Voiding a parked sale', a['managerPin']);
    state.parked = state.parked.filter((p) => p.id !== a['parkedId']);
    return state.parked.map(({ lines_: _lines, ...rest }) => rest);
  },
  receipt: (a) => {
    const sale = state.sales.find((s) => s.id === a['saleId']);
    if (!sale) throw new FakeError('not_found', 'No such sale.');
    return { sale_id: sale.id, receipt_no: sale.no, total_minor: sale.total, paid_minor: sale.paid, change_minor: sale.change, receipt_text: receiptText(sale, true), receipt_qr: sale.id, warnings: [] };
  },
  find_sale: (a): SaleLookup => {
    const text = String(a['text']).trim();
    if (text.includes(';') && !text.startsWith('T-0001;')) {
      return { sale_id: null, receipt_no: 88, completed_at_ms: now() - 86_400_000, total_minor: 1999, lines: [], tenders: [], receipt_code: text };
    }
    const no = Number(text.startsWith('T-0001;') ? text.split(';')[1] : text.replace('#', ''));
    const sale = state.sales.find((s) => s.no === no);
    if (!sale) throw new FakeError('not_found', `No sale with receipt number ${text} on this till. Scan the receipt's QR code instead.`);
    return {
      sale_id: sale.id,
      receipt_no: sale.no,
      completed_at_ms: sale.at,
      total_minor: sale.total,
      lines: sale.lines.map((l) => ({ line_no: l.line_no, product_id: l.product.id, sku: l.product.sku, name: l.product.name, qty_milli: l.qty, refundable_milli: l.qty - l.refunded, gross_minor: l.gross })),
      tenders: sale.tenders,
      receipt_code: null,
    };
  },
  refund: (a) => {
    approve('A refund', a['managerPin']);
    const sale = state.sales.find((s) => s.id === (a['sale'] as SaleLookup).sale_id);
    let total = 0;
    const names: string[] = [];
    for (const item of a['items'] as RefundItem[]) {
      const l = sale?.lines.find((x) => x.line_no === item.line_no);
      const p = l?.product ?? CATALOG.find((c) => c.id === item.product_id);
      if (!p) throw new FakeError('invalid_input', 'Pick the lines to refund.');
      if (l) {
        if (item.qty_milli > l.qty - l.refunded) throw new FakeError('over_refund', `Only ${(l.qty - l.refunded) / 1000} of ${p.name} can still be refunded.`);
        l.refunded += item.qty_milli;
        total += Math.round((l.gross * item.qty_milli) / l.qty);
      } else {
        total += Math.round((p.price_minor * item.qty_milli) / 1000);
      }
      names.push(`${p.name} x ${item.qty_milli / 1000}`);
    }
    return refundDone(total, String(a['to']), names);
  },
  refund_without_receipt: (a) => {
    approve('A return without a receipt', a['managerPin']);
    let total = 0;
    const names: string[] = [];
    for (const item of a['items'] as RefundItem[]) {
      const p = CATALOG.find((c) => c.id === item.product_id);
      if (!p) throw new FakeError('invalid_input', 'Scan or pick the items that come back.');
      total += Math.round((p.price_minor * item.qty_milli) / 1000);
      names.push(`${p.name} x ${item.qty_milli / 1000}`);
    }
    return refundDone(total, String(a['to']), names);
  },
  open_shift: (a) => {
    const staff = signedIn();
    state.shift = { id: id('shift'), opened_by: staff.name, opened_at_ms: now(), opening_float_minor: Number(a['floatMinor']) };
    return session();
  },
  cash_movement: (a) => {
    const kind = String(a['kind']) as 'paid_in' | 'paid_out' | 'no_sale';
    if (kind === 'paid_out') approve('A pay-out', a['managerPin']);
    if (kind === 'no_sale') state.movements.no_sale += 1;
    else state.movements[kind] += Number(a['amountMinor']);
    return report();
  },
  x_report: () => report(),
  preview_close: (a) => zView(a['counted'] as Record<string, number>, false),
  close_shift: (a) => {
    const z = zView(a['counted'] as Record<string, number>, true);
    if (z.needs_manager) approve('A variance above 5.00', a['managerPin']);
    state.shift = null;
    return z;
  },
  customers: (a) => {
    const q = String(a['query']).toLowerCase();
    return customers.filter((c) => !q || c.name.toLowerCase().includes(q) || (c.phone ?? '').includes(q) || (c.email ?? '').includes(q));
  },
  add_customer: (a) => {
    const c: CustomerView = { id: id('c'), name: String(a['name']), phone: (a['phone'] as string | undefined) ?? null, email: (a['email'] as string | undefined) ?? null, balance_minor: 0, credit_limit_minor: 0 };
    customers.push(c);
    return c;
  },
  debt_payment: (a) => {
    const c = customers.find((x) => x.id === a['customerId']);
    if (!c) throw new FakeError('not_found', 'No such customer.');
    c.balance_minor -= Number(a['amountMinor']);
    state.movements.debt += Number(a['amountMinor']);
    return c;
  },
  sale_devices: (a) => ({ sale_id: String(a['saleId']), print: 'no_printer', drawer: 'no_drawer', problem: null }),
  print_copy: (a) => ({ sale_id: String(a['saleId']), print: 'no_printer', drawer: 'not_needed', problem: null }),
  open_drawer: () => {
    state.movements.no_sale += 1;
    return report();
  },
  email_receipt: (a) => ({ id: id('mail'), sale_id: String(a['saleId']), email: String(a['email']), status: 'queued' }),
  printer_status: () => null,
  device_settings: () => ({ printer: null, scanner: null, scale: null, display: null, code_page: 'CP858' }),
  save_device_settings: (a) => a['settings'],
  test_device: () => {
    throw new FakeError('device_unavailable', 'The fake till has no devices.');
  },
  sync_status: () => syncView(),
  sync_now: () => {
    if (!state.online) throw new FakeError('offline', 'The server is not reachable: the sales wait here and go up later.');
    state.queued = 0;
    state.lastSync = now();
    return syncView();
  },
};

function seed(): void {
  if (scene === 'pin' || scene === 'fresh') return;
  state.staff = STAFF[0] ?? null;
  for (const code of ['4006381333931', '4006381333931', 'BREAD', '4006381334044']) addLine(findProduct(code), undefined, true);
  addLine(findProduct('BANANA'), 1250, true);
  const bread = state.lines[1];
  if (bread) bread.discount = { kind: 'percent', bp: 1000 };
  if (scene === 'pay') {
    state.customerId = 'c-ana';
    state.tenders.push({ index: 0, kind: 'card', amount_minor: 500, reference: '4711' });
  }
}

/** Installs the fake till behind Tauri's IPC mock. */
export function installFakeTill(): void {
  seed();
  mockIPC(
    async (command, args) => {
      const handler = commands[command];
      if (!handler) throw new FakeError('ipc', `The fake till has no command ${command}.`);
      await new Promise((resolve) => setTimeout(resolve, 15));
      return handler((args ?? {}) as Args);
    },
    { shouldMockEvents: true },
  );
  setInterval(() => void emit('sync', syncView()), 2000);
  console.warn('Kassa dev: the fake till (ui/dev/fake-till.ts) answers the commands; this is not the real till.');
}
