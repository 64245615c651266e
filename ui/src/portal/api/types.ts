// The server's JSON as the portal reads it, after /api/openapi.json. Amounts are integer minor
// units of the company currency, quantities milli-units, instants RFC 3339 strings unless a
// field says `_ms` (epoch milliseconds, as tills record them).

export type Role = 'platform_admin' | 'company_admin' | 'shop_manager' | 'cashier' | 'customer';

export interface UserView {
  id: string;
  email?: string | null;
  name: string;
  role: Role;
  company_id?: string | null;
  shop_ids: string[];
  has_pin: boolean;
  created_at: string;
}

/** Login and refresh answers (a browser session gets no refresh_token: it is a cookie). */
export interface SessionAnswer {
  access_token: string;
  expires_in: number;
  token_type?: string;
  refresh_token?: string;
  user?: UserView;
}

export interface TaxRateSetting {
  id: string;
  name: string;
  rate_bp: number;
  inclusive: boolean;
}

export interface Settings {
  currency: string;
  locale: string;
  timezone: string;
  tax_rates: TaxRateSetting[];
  receipt_header: string;
  receipt_footer: string;
}

export interface Plan {
  name: string;
  max_shops: number;
  max_terminals: number;
}

export interface CompanyView {
  id: string;
  name: string;
  status: string;
  plan: Plan;
  settings: Settings;
  created_at: string;
  updated_at: string;
}

export interface OpeningHours {
  day: number;
  opens: string;
  closes: string;
}

export interface ShopView {
  id: string;
  company_id: string;
  name: string;
  address: string;
  timezone: string;
  opening_hours: OpeningHours[];
  status: string;
  created_at: string;
}

export interface CatalogProduct {
  id: string;
  sku: string;
  name: string;
  category?: string | null;
  barcodes: string[];
  price_minor: number;
  currency: string;
  tax_rate_bp: number;
  tax_inclusive: boolean;
  is_weighed?: boolean;
  active: boolean;
  variant_of?: string | null;
  variant_name?: string | null;
}

/** Enough of a product to name it and format its quantities (a stock row, a search hit). */
export type ProductRef = Pick<CatalogProduct, 'id' | 'sku' | 'name' | 'is_weighed'>;

export interface ProductInput {
  sku: string;
  name: string;
  category?: string | null;
  barcodes: string[];
  price_minor: number;
  tax_rate_bp: number;
  tax_inclusive: boolean;
  is_weighed: boolean;
}

/** What an edit sends: only the changed fields; a variant may also be renamed. */
export type ProductChanges = Partial<ProductInput> & { variant_name?: string };

export interface Category {
  name: string;
  products: number;
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ShopPriceView {
  shop_id: string;
  product_id: string;
  sku: string;
  price_minor: number;
  catalog_price_minor: number;
  currency: string;
}

export interface EnrollmentCode {
  code: string;
  shop_id: string;
  expires_at: string;
}

export interface TerminalView {
  id: string;
  shop_id: string;
  name: string;
  status: string;
  enrolled_at: string;
}

export interface TerminalPresence {
  terminal_id: string;
  name: string;
  online: boolean;
  last_seen?: string | null;
  last_push_at?: string | null;
  queued: number;
  acked_through: number;
  projected_through: number;
}

export interface ExceptionView {
  id: string;
  kind: string;
  detail: string;
  event_id: string;
  terminal_id: string;
  at: string;
  resolved: boolean;
  resolved_at?: string | null;
  /** Absent when sync resolved it (an orphan refund whose sale arrived). */
  resolved_by?: string | null;
  resolved_by_name?: string | null;
  note?: string | null;
}

/** What a stock row shows of its product (the server names it). */
export interface StockProduct {
  product_id: string;
  sku?: string | null;
  name?: string | null;
  is_weighed: boolean;
}

export interface BalanceView extends StockProduct {
  on_hand_milli: number;
  /** Null for a product found by a search whose stock never moved in the shop. */
  updated_at?: string | null;
}

export interface LowStockView extends StockProduct {
  on_hand_milli: number;
  level_milli: number;
  low: boolean;
}

export interface MovementView {
  id: string;
  delta_milli: number;
  balance_after_milli: number;
  reason: string;
  source: 'till' | 'portal' | string;
  terminal_id?: string | null;
  source_event?: string | null;
  actor?: string | null;
  at: string;
}

export interface EffectivePrice {
  shop_id: string;
  product_id: string;
  sku: string;
  name: string;
  price_minor: number;
  source: 'shop' | 'catalog';
  shop_price_minor?: number | null;
  catalog_price_minor: number;
  currency: string;
}

export interface PaymentView {
  payment_id: string;
  amount_minor: number;
  shop_id: string;
  at: string;
  customer: CompanyCustomer;
}

export type PromotionTerms =
  | { type: 'percent_off_category'; category: string; bp: number }
  | { type: 'multi_buy'; product_id: string; buy: number; pay: number }
  | { type: 'bundle_price'; product_ids: string[]; price_minor: number };

export interface PromotionView {
  id: string;
  name: string;
  terms: PromotionTerms;
  /** Empty: every shop of the company. */
  shop_ids: string[];
  starts_at?: string | null;
  ends_at?: string | null;
  active: boolean;
}

export interface PromotionInput {
  name: string;
  terms: PromotionTerms;
  shop_ids: string[];
  starts_at?: string | null;
  ends_at?: string | null;
}

export interface VariantInput {
  variant_name: string;
  sku: string;
  barcodes: string[];
  price_minor?: number;
}

export interface StaffView {
  user_id: string;
  shop_id: string;
  name: string;
  role: string;
  active: boolean;
  created_at: string;
}

export interface CompanyCustomer {
  customer_id: string;
  name: string;
  phone?: string | null;
  email?: string | null;
  credit_limit_minor: number;
  balance_minor: number;
  active: boolean;
  placeholder?: boolean;
}

export interface AccountEntry {
  amount_minor: number;
  at: string;
  kind: string;
  ref_id: string;
  shop_id: string;
  terminal_id: string;
}

export interface CustomerAccount {
  customer: CompanyCustomer;
  entries: AccountEntry[];
}

/** A stored date as the API returns documents (relaxed extended JSON) or a plain string. */
export type StoredDate = string | { $date: string } | null | undefined;

export interface OrderLine {
  id: string;
  line_no: number;
  product_id: string;
  sku: string;
  name: string;
  qty_milli: number;
  unit_price_minor: number;
  discount_minor: number;
  tax_rate_bp: number;
  net_minor: number;
  tax_minor: number;
  gross_minor: number;
}

export interface OrderTender {
  kind: string;
  amount_minor: number;
  reference?: string | null;
}

export interface RefundLine {
  sale_line_id?: string | null;
  product_id: string;
  sku: string;
  qty_milli: number;
  amount_minor: number;
  tax_minor: number;
  restock?: boolean;
}

export interface RefundDoc {
  id: string;
  sale_id?: string | null;
  reason?: string | null;
  tender_kind: string;
  total_minor: number;
  tax_minor: number;
  lines: RefundLine[];
  staff_id?: string | null;
  approved_by?: string | null;
  created_at_ms?: number;
  terminal_id?: string;
}

export interface OrderDoc {
  id: string;
  receipt_no?: number;
  shift_id?: string;
  staff_id?: string | null;
  customer_id?: string | null;
  currency: string;
  created_at_ms?: number;
  created_at?: StoredDate;
  lines: OrderLine[];
  tenders: OrderTender[];
  subtotal_minor: number;
  discount_minor: number;
  tax_minor: number;
  total_minor: number;
  paid_minor?: number;
  change_minor?: number;
  shop_id: string;
  terminal_id?: string;
  channel?: string;
  status?: string;
  refunds?: RefundDoc[];
  /** What the order's linked refunds gave back so far. */
  refunded_minor?: number;
}

export interface ZReport {
  z_number: number;
  closed_at_ms: number;
  closed_by?: string | null;
  report: {
    shift_id: string;
    opening_float_minor: number;
    sales_count: number;
    sales_total_minor: number;
    discount_minor: number;
    tax_minor: number;
    refunds_count: number;
    refunds_total_minor: number;
    paid_in_minor: number;
    paid_out_minor: number;
    tenders: Record<string, number>;
    expected: Record<string, number>;
    taxes?: { rate_bp: number; inclusive: boolean; net_minor: number; tax_minor: number }[];
  };
  counted: Record<string, number>;
  variance: Record<string, number>;
}

export interface ShiftDoc {
  _id: string;
  shop_id: string;
  terminal_id: string;
  status: string;
  opened_at_ms: number;
  opened_by?: string | null;
  opening_float_minor: number;
  z_number?: number;
  closed_at_ms?: number;
  closed_by?: string | null;
  z_report?: ZReport;
}

/** GET /api/analytics/dashboard (the contract agreed with the server side). */
export interface Dashboard {
  currency: string;
  from: string;
  to: string;
  totals: {
    orders: number;
    sales_minor: number;
    refunds: number;
    refunds_minor: number;
    net_minor: number;
    avg_basket_minor: number;
  };
  by_day: { day: string; orders: number; sales_minor: number; refunds_minor: number }[];
  by_hour: { hour: number; orders: number; sales_minor: number }[];
  tenders: { kind: string; amount_minor: number }[];
  top_products: { product_id: string; sku: string; name: string; qty_milli: number; sales_minor: number }[];
  shops: { shop_id: string; name: string; orders: number; sales_minor: number }[];
  variances: {
    shift_id: string;
    shop_id: string;
    terminal_id: string;
    z_number: number;
    closed_at: string;
    variance_minor: number;
  }[];
}

export type CsvTable = 'days' | 'hours' | 'products' | 'tenders';
