// DEV ONLY (never built, never shipped): a Vite plugin for `npm run dev:portal` /
// `preview:portal` with KASSA_PORTAL_SHIM=1 that stands in for two server features the portal
// is written against, until sync-server has them:
//  1. the browser session (`X-Kassa-Client: portal`): a login's refresh token is moved from the
//     JSON body into an HttpOnly, SameSite=Strict cookie on /api/auth, and refresh/logout read
//     it from there, as the agreed contract says the server will;
//  2. GET /api/analytics/dashboard and /api/analytics/export.csv, computed from the server's
//     own orders and shifts with the caller's token (slow on big data; the real rollups are
//     the server's job). Where the server answers these itself, its answer is passed through.
// The live WebSocket is not faked: the dashboard then shows "not live" and retries.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';

const COOKIE = 'kassa_portal_shim_refresh';

interface Order {
  id: string;
  shop_id: string;
  created_at_ms?: number;
  total_minor: number;
  change_minor?: number;
  tenders: { kind: string; amount_minor: number }[];
  lines: { product_id: string; sku: string; name: string; qty_milli: number; gross_minor: number }[];
}

interface Shop {
  id: string;
  name: string;
  timezone: string;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function cookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

function setCookie(res: ServerResponse, value: string | null): void {
  const attrs = 'Path=/api/auth; HttpOnly; SameSite=Strict';
  res.setHeader('set-cookie', value === null ? `${COOKIE}=; ${attrs}; Max-Age=0` : `${COOKIE}=${encodeURIComponent(value)}; ${attrs}; Max-Age=2592000`);
}

function send(res: ServerResponse, status: number, payload: unknown, type = 'application/json'): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
}

function dayIn(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

function hourIn(ms: number, zone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(ms));
}

export function portalShim(target: string): Plugin {
  const upstream = (path: string, init: RequestInit = {}) => fetch(new URL(path, target), init);

  async function session(req: IncomingMessage, res: ServerResponse, kind: 'login' | 'refresh' | 'logout'): Promise<void> {
    const stored = cookie(req, COOKIE);
    let payload = kind === 'login' ? await body(req) : JSON.stringify({ refresh_token: stored ?? '' });
    if (kind !== 'login') await body(req);
    if (kind !== 'login' && !stored) {
      send(res, kind === 'logout' ? 204 : 401, kind === 'logout' ? '' : { code: 'unauthorized', message: 'no session: sign in again' });
      return;
    }
    const answer = await upstream(`/api/auth/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    if (kind === 'logout') {
      setCookie(res, null);
      send(res, 204, '');
      return;
    }
    payload = await answer.text();
    if (!answer.ok) {
      if (kind === 'refresh') setCookie(res, null);
      send(res, answer.status, payload);
      return;
    }
    const json = JSON.parse(payload) as { refresh_token?: string };
    if (json.refresh_token) setCookie(res, json.refresh_token);
    delete json.refresh_token;
    send(res, 200, json);
  }

  async function dashboard(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
    const auth = { authorization: req.headers.authorization ?? '' };
    const get = async <T>(path: string): Promise<T> => {
      const answer = await upstream(path, { headers: auth });
      if (!answer.ok) throw Object.assign(new Error(await answer.text()), { status: answer.status });
      return (await answer.json()) as T;
    };
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    const shopId = url.searchParams.get('shop_id');
    const me = await get<{ company_id: string }>('/api/auth/me');
    const company = await get<{ settings: { currency: string } }>(`/api/companies/${me.company_id}`);
    const shops = (await get<Shop[]>('/api/shops?limit=200')).filter((s) => !shopId || s.id === shopId);
    const byDay = new Map<string, { day: string; orders: number; sales_minor: number; refunds_minor: number }>();
    const byHour = new Map<number, { hour: number; orders: number; sales_minor: number }>();
    const tenders = new Map<string, number>();
    const products = new Map<string, { product_id: string; sku: string; name: string; qty_milli: number; sales_minor: number }>();
    const perShop: { shop_id: string; name: string; orders: number; sales_minor: number }[] = [];
    const variances: unknown[] = [];
    let orders = 0;
    let sales = 0;
    let refunds = 0;
    let refundsMinor = 0;
    for (const shop of shops) {
      const row = { shop_id: shop.id, name: shop.name, orders: 0, sales_minor: 0 };
      perShop.push(row);
      for (let offset = 0; offset < 20_000; offset += 200) {
        const page = await get<Order[]>(`/api/sales/orders?shop_id=${shop.id}&limit=200&offset=${offset}`);
        let older = false;
        for (const order of page) {
          const ms = order.created_at_ms ?? 0;
          const day = dayIn(ms, shop.timezone);
          if (day > to) continue;
          if (day < from) {
            older = true;
            continue;
          }
          orders++;
          sales += order.total_minor;
          row.orders++;
          row.sales_minor += order.total_minor;
          const d = byDay.get(day) ?? { day, orders: 0, sales_minor: 0, refunds_minor: 0 };
          d.orders++;
          d.sales_minor += order.total_minor;
          byDay.set(day, d);
          const hour = hourIn(ms, shop.timezone);
          const h = byHour.get(hour) ?? { hour, orders: 0, sales_minor: 0 };
          h.orders++;
          h.sales_minor += order.total_minor;
          byHour.set(hour, h);
          for (const tender of order.tenders) {
            const amount = tender.kind === 'cash' ? tender.amount_minor - (order.change_minor ?? 0) : tender.amount_minor;
            tenders.set(tender.kind, (tenders.get(tender.kind) ?? 0) + amount);
          }
          for (const line of order.lines) {
            const p = products.get(line.product_id) ?? { product_id: line.product_id, sku: line.sku, name: line.name, qty_milli: 0, sales_minor: 0 };
            p.qty_milli += line.qty_milli;
            p.sales_minor += line.gross_minor;
            products.set(line.product_id, p);
          }
          const detail = await get<{ refunds?: { total_minor: number; created_at_ms?: number }[] }>(`/api/sales/orders/${order.id}`);
          for (const refund of detail.refunds ?? []) {
            const refundDay = dayIn(refund.created_at_ms ?? ms, shop.timezone);
            if (refundDay < from || refundDay > to) continue;
            refunds++;
            refundsMinor += refund.total_minor;
            const r = byDay.get(refundDay) ?? { day: refundDay, orders: 0, sales_minor: 0, refunds_minor: 0 };
            r.refunds_minor += refund.total_minor;
            byDay.set(refundDay, r);
          }
        }
        if (older || page.length < 200) break;
      }
      const shifts = await get<{ _id: string; terminal_id: string; z_number?: number; closed_at_ms?: number; z_report?: { variance: Record<string, number> } }[]>(
        `/api/sales/shifts?shop_id=${shop.id}&limit=200`,
      );
      for (const shift of shifts) {
        if (!shift.z_report || !shift.closed_at_ms) continue;
        const day = dayIn(shift.closed_at_ms, shop.timezone);
        const variance = Object.values(shift.z_report.variance).reduce((a, b) => a + b, 0);
        if (day < from || day > to || variance === 0) continue;
        variances.push({
          shift_id: shift._id,
          shop_id: shop.id,
          terminal_id: shift.terminal_id,
          z_number: shift.z_number ?? 0,
          closed_at: new Date(shift.closed_at_ms).toISOString(),
          variance_minor: variance,
        });
      }
    }
    return {
      currency: company.settings.currency,
      from,
      to,
      totals: {
        orders,
        sales_minor: sales,
        refunds,
        refunds_minor: refundsMinor,
        net_minor: sales - refundsMinor,
        avg_basket_minor: orders ? Math.round(sales / orders) : 0,
      },
      by_day: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)),
      by_hour: [...byHour.values()].sort((a, b) => a.hour - b.hour),
      tenders: [...tenders].map(([kind, amount_minor]) => ({ kind, amount_minor })),
      top_products: [...products.values()].sort((a, b) => b.sales_minor - a.sales_minor).slice(0, 10),
      shops: perShop,
      variances,
    };
  }

  function csv(data: Record<string, unknown>, table: string): string {
    const rows: unknown[][] = [];
    if (table === 'days') for (const r of data.by_day as { day: string; orders: number; sales_minor: number; refunds_minor: number }[]) rows.push([r.day, r.orders, r.sales_minor, r.refunds_minor]);
    if (table === 'hours') for (const r of data.by_hour as { hour: number; orders: number; sales_minor: number }[]) rows.push([r.hour, r.orders, r.sales_minor]);
    if (table === 'tenders') for (const r of data.tenders as { kind: string; amount_minor: number }[]) rows.push([r.kind, r.amount_minor]);
    if (table === 'products') for (const r of data.top_products as { sku: string; name: string; qty_milli: number; sales_minor: number }[]) rows.push([r.sku, r.name, r.qty_milli, r.sales_minor]);
    const header = { days: 'day,orders,sales_minor,refunds_minor', hours: 'hour,orders,sales_minor', tenders: 'kind,amount_minor', products: 'sku,name,qty_milli,sales_minor' }[table] ?? '';
    return [header, ...rows.map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(','))].join('\r\n') + '\r\n';
  }

  const handler: Connect.NextHandleFunction = (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://shim');
    const portal = req.headers['x-kassa-client'] === 'portal';
    const route = `${req.method} ${url.pathname}`;
    const run = async () => {
      if (portal && route === 'POST /api/auth/login') return session(req, res, 'login');
      if (portal && route === 'POST /api/auth/refresh') return session(req, res, 'refresh');
      if (portal && route === 'POST /api/auth/logout') return session(req, res, 'logout');
      if (route === 'GET /api/analytics/dashboard' || route === 'GET /api/analytics/export.csv') {
        const real = await upstream(url.pathname + url.search, { headers: { authorization: req.headers.authorization ?? '' } });
        if (real.status !== 404) {
          send(res, real.status, await real.text(), real.headers.get('content-type') ?? 'application/json');
          return;
        }
        const data = await dashboard(req, url);
        if (url.pathname.endsWith('.csv')) send(res, 200, csv(data, url.searchParams.get('table') ?? 'days'), 'text/csv; charset=utf-8');
        else send(res, 200, data);
        return;
      }
      next();
    };
    run().catch((error: Error & { status?: number }) => {
      send(res, error.status ?? 502, error.status ? error.message : { code: 'shim', message: `dev shim: ${error.message}` });
    });
  };

  return {
    name: 'kassa-portal-shim',
    configureServer(server) {
      server.middlewares.use(handler);
    },
    configurePreviewServer(server) {
      server.middlewares.use(handler);
    },
  };
}
