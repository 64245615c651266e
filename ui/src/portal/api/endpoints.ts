// One function per REST call the portal makes, typed after /api/openapi.json (and the
// analytics contract). Paths and query names live here only; pages call these.

import type { Client } from '$lib/http/client';
import { withQuery } from '$lib/http/query';
import { pageQuery, toPage, type Page } from './paging';
import type {
  BalanceView,
  CatalogProduct,
  Category,
  CompanyCustomer,
  CompanyView,
  CsvTable,
  CustomerAccount,
  Dashboard,
  EffectivePrice,
  EnrollmentCode,
  ExceptionView,
  ImportSummary,
  LowStockView,
  MovementView,
  OrderDoc,
  PaymentView,
  Plan,
  ProductChanges,
  ProductInput,
  PromotionInput,
  PromotionView,
  Settings,
  ShiftDoc,
  ShopPriceView,
  ShopView,
  StaffView,
  TerminalPresence,
  TerminalView,
  VariantInput,
} from './types';

const enc = encodeURIComponent;

async function paged<T>(api: Client, path: string, query: Record<string, string | undefined>, page: number, size: number): Promise<Page<T>> {
  const rows = await api.get<T[]>(path, { ...query, ...pageQuery(page, size) });
  return toPage(rows, page, size);
}

/** Every row of a list, page by page (shops, staff: small lists). */
async function all<T>(api: Client, path: string, query: Record<string, string> = {}): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += 200) {
    const chunk = await api.get<T[]>(path, { ...query, limit: 200, offset });
    rows.push(...chunk);
    if (chunk.length < 200 || offset > 10_000) return rows;
  }
}

// Company, shops, platform.
export const companies = {
  list: (api: Client, page: number, size: number) => paged<CompanyView>(api, '/api/companies', {}, page, size),
  get: (api: Client, id: string) => api.get<CompanyView>(`/api/companies/${enc(id)}`),
  create: (api: Client, body: { name: string; currency?: string; plan?: string; admin: { name: string; email: string; password: string } }) =>
    api.post<CompanyView>('/api/companies', body),
  setStatus: (api: Client, id: string, status: 'active' | 'suspended') =>
    api.patch<CompanyView>(`/api/companies/${enc(id)}`, { status }),
  rename: (api: Client, id: string, name: string) => api.patch<CompanyView>(`/api/companies/${enc(id)}`, { name }),
  setPlan: (api: Client, id: string, plan: Partial<Plan> & { name: string }) =>
    api.put<CompanyView>(`/api/companies/${enc(id)}/plan`, plan),
  putSettings: (api: Client, id: string, settings: Settings) =>
    api.put<CompanyView>(`/api/companies/${enc(id)}/settings`, settings),
};

export const shops = {
  all: (api: Client) => all<ShopView>(api, '/api/shops'),
  create: (api: Client, body: { name: string; address?: string; timezone?: string }) => api.post<ShopView>('/api/shops', body),
  update: (api: Client, id: string, body: { name?: string; address?: string; timezone?: string }) =>
    api.patch<ShopView>(`/api/shops/${enc(id)}`, body),
};

// Analytics (dashboard).
export interface DashboardQuery {
  from: string;
  to: string;
  shop_id?: string;
}

export const analytics = {
  dashboard: (api: Client, query: DashboardQuery, signal?: AbortSignal) =>
    api.get<Dashboard>('/api/analytics/dashboard', { ...query }, signal),
  exportCsv: (api: Client, query: DashboardQuery & { table: CsvTable }) =>
    api.request<Response>('GET', '/api/analytics/export.csv', { query: { ...query }, raw: true, headers: { accept: 'text/csv' } }),
  /** The live socket's URL (same origin, ws or wss as the page). */
  liveUrl: (origin: string, token: string, shopId?: string) =>
    withQuery(`${origin.replace(/^http/, 'ws')}/api/analytics/live`, { access_token: token, shop_id: shopId }),
};

// Catalog.
export const catalog = {
  search: (api: Client, q: string, page: number, size: number) =>
    paged<CatalogProduct>(api, '/api/catalog/products', { q: q.trim() || undefined }, page, size),
  get: (api: Client, id: string) => api.get<CatalogProduct>(`/api/catalog/products/${enc(id)}`),
  create: (api: Client, body: ProductInput) => api.post<CatalogProduct>('/api/catalog/products', body),
  update: (api: Client, id: string, body: ProductChanges) => api.patch<CatalogProduct>(`/api/catalog/products/${enc(id)}`, body),
  retire: (api: Client, id: string) => api.delete(`/api/catalog/products/${enc(id)}`),
  categories: (api: Client) => api.get<Category[]>('/api/catalog/categories'),
  importCsv: (api: Client, text: string) =>
    api.post<ImportSummary>('/api/catalog/products/import.csv', text, { contentType: 'text/csv' }),
  exportCsv: (api: Client) =>
    api.request<Response>('GET', '/api/catalog/products/export.csv', { raw: true, headers: { accept: 'text/csv' } }),
  shopPrices: (api: Client, shopId: string, page: number, size: number) =>
    paged<ShopPriceView>(api, `/api/shops/${enc(shopId)}/prices`, {}, page, size),
  setShopPrice: (api: Client, shopId: string, productId: string, priceMinor: number) =>
    api.put<ShopPriceView>(`/api/shops/${enc(shopId)}/prices/${enc(productId)}`, { price_minor: priceMinor }),
  removeShopPrice: (api: Client, shopId: string, productId: string) =>
    api.delete(`/api/shops/${enc(shopId)}/prices/${enc(productId)}`),
  effectivePrice: (api: Client, shopId: string, productId: string) =>
    api.get<EffectivePrice>(`/api/shops/${enc(shopId)}/prices/${enc(productId)}`),
  variants: (api: Client, productId: string) => api.get<CatalogProduct[]>(`/api/catalog/products/${enc(productId)}/variants`),
  addVariant: (api: Client, productId: string, body: VariantInput) =>
    api.post<CatalogProduct>(`/api/catalog/products/${enc(productId)}/variants`, body),
};

// Promotions.
export const promotions = {
  list: (api: Client, filter: { active?: boolean; shop_id?: string }, page: number, size: number) =>
    paged<PromotionView>(
      api,
      '/api/catalog/promotions',
      { active: filter.active === undefined ? undefined : String(filter.active), shop_id: filter.shop_id },
      page,
      size,
    ),
  /** Create or replace by the caller's id: a retried save never makes a second promotion. */
  put: (api: Client, id: string, body: PromotionInput) => api.put<PromotionView>(`/api/catalog/promotions/${enc(id)}`, body),
  end: (api: Client, id: string) => api.delete(`/api/catalog/promotions/${enc(id)}`),
};

// Terminals.
export const terminals = {
  list: (api: Client, shopId: string) => all<TerminalView>(api, `/api/shops/${enc(shopId)}/terminals`),
  presence: (api: Client, shopId: string) => api.get<TerminalPresence[]>(`/api/shops/${enc(shopId)}/presence`),
  enrollmentCode: (api: Client, shopId: string) => api.post<EnrollmentCode>(`/api/shops/${enc(shopId)}/enrollment-codes`),
  revoke: (api: Client, shopId: string, terminalId: string) =>
    api.delete(`/api/shops/${enc(shopId)}/terminals/${enc(terminalId)}`),
};

// Inventory.
export interface ExceptionFilter {
  status?: 'open' | 'resolved';
  kind?: string;
}

export const inventory = {
  exceptions: (api: Client, shopId: string, filter: ExceptionFilter, page: number, size: number) =>
    paged<ExceptionView>(api, '/api/inventory/exceptions', { shop_id: shopId, ...filter }, page, size),
  resolveException: (api: Client, id: string, note: string) =>
    api.post<ExceptionView>(`/api/inventory/exceptions/${enc(id)}/resolve`, { note }),
  balances: (api: Client, shopId: string, q: string, page: number, size: number) =>
    paged<BalanceView>(api, '/api/inventory/balances', { shop_id: shopId, q: q.trim() || undefined }, page, size),
  lowStock: (api: Client, shopId: string, q = '') =>
    api.get<LowStockView[]>('/api/inventory/low-stock', { shop_id: shopId, q: q.trim() || undefined }),
  movements: (api: Client, shopId: string, productId: string, page: number, size: number) =>
    paged<MovementView>(api, '/api/inventory/movements', { shop_id: shopId, product_id: productId }, page, size),
  adjust: (api: Client, body: { shop_id: string; product_id: string; delta_milli: number; reason: string; idempotency_key: string }) =>
    api.post<BalanceView>('/api/inventory/adjustments', body),
  setReorderLevel: (api: Client, body: { shop_id: string; product_id: string; level_milli: number }) =>
    api.put<LowStockView>('/api/inventory/reorder-levels', body),
};

// Sales.
/** The orders list's filters as the API names them (instants are RFC 3339 UTC). */
export interface OrderFilter {
  from?: string;
  to?: string;
  terminal_id?: string;
  staff_id?: string;
  receipt_no?: string;
}

export const sales = {
  orders: (api: Client, shopId: string, filter: OrderFilter, page: number, size: number) =>
    paged<OrderDoc>(api, '/api/sales/orders', { shop_id: shopId, ...filter }, page, size),
  order: (api: Client, id: string) => api.get<OrderDoc>(`/api/sales/orders/${enc(id)}`),
  shifts: (api: Client, shopId: string, page: number, size: number) =>
    paged<ShiftDoc>(api, '/api/sales/shifts', { shop_id: shopId }, page, size),
  shift: (api: Client, id: string) => api.get<ShiftDoc>(`/api/sales/shifts/${enc(id)}`),
};

// Staff.
export const staff = {
  list: (api: Client, shopId: string) => all<StaffView>(api, `/api/shops/${enc(shopId)}/staff`),
  add: (
    api: Client,
    shopId: string,
    body: { name: string; role: 'shop_manager' | 'cashier'; email?: string; password?: string; pin?: string },
  ) => api.post<StaffView>(`/api/shops/${enc(shopId)}/staff`, body),
  setPin: (api: Client, shopId: string, userId: string, pin: string) =>
    api.put(`/api/shops/${enc(shopId)}/staff/${enc(userId)}/pin`, { pin }),
  remove: (api: Client, shopId: string, userId: string) => api.delete(`/api/shops/${enc(shopId)}/staff/${enc(userId)}`),
};

// Customers.
export const customers = {
  search: (api: Client, q: string, page: number, size: number) =>
    paged<CompanyCustomer>(api, '/api/customers', { q: q.trim() || undefined }, page, size),
  get: (api: Client, id: string) => api.get<CustomerAccount>(`/api/customers/${enc(id)}`),
  create: (api: Client, body: { name: string; phone?: string; email?: string; credit_limit_minor?: number }) =>
    api.post<CompanyCustomer>('/api/customers', body),
  update: (
    api: Client,
    id: string,
    body: { name?: string; phone?: string; email?: string; credit_limit_minor?: number; active?: boolean },
  ) => api.patch<CompanyCustomer>(`/api/customers/${enc(id)}`, body),
  /** `key` is made once per payment and sent again on a retry: the server records it once. */
  pay: (api: Client, id: string, body: { amount_minor: number; shop_id: string; idempotency_key: string }) =>
    api.post<PaymentView>(`/api/customers/${enc(id)}/payments`, body),
};
