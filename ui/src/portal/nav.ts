// Which pages and actions each role gets, after the API's own checks (sync-server's
// `p.require(Role::...)`): the portal offers only what the server would allow, so a shop
// manager never sees a button that ends in 403. The server still refuses on its own.

import type { Role } from './api/types';

export type PageId =
  | 'dashboard'
  | 'products'
  | 'promotions'
  | 'stock'
  | 'orders'
  | 'shifts'
  | 'terminals'
  | 'exceptions'
  | 'staff'
  | 'customers'
  | 'settings'
  | 'companies';

export interface PageDef {
  id: PageId;
  path: string;
  /** The nav group it is listed under. */
  group: 'overview' | 'catalog' | 'sales' | 'shop' | 'company' | 'platform';
  roles: readonly Role[];
}

const MANAGERS: readonly Role[] = ['company_admin', 'shop_manager'];

export const PAGES: readonly PageDef[] = [
  { id: 'dashboard', path: '/dashboard', group: 'overview', roles: MANAGERS },
  { id: 'products', path: '/products', group: 'catalog', roles: MANAGERS },
  { id: 'promotions', path: '/promotions', group: 'catalog', roles: MANAGERS },
  { id: 'stock', path: '/stock', group: 'catalog', roles: MANAGERS },
  { id: 'orders', path: '/orders', group: 'sales', roles: MANAGERS },
  { id: 'shifts', path: '/shifts', group: 'sales', roles: MANAGERS },
  { id: 'exceptions', path: '/exceptions', group: 'sales', roles: MANAGERS },
  { id: 'terminals', path: '/terminals', group: 'shop', roles: MANAGERS },
  { id: 'staff', path: '/staff', group: 'shop', roles: MANAGERS },
  { id: 'customers', path: '/customers', group: 'shop', roles: MANAGERS },
  { id: 'settings', path: '/settings', group: 'company', roles: ['company_admin'] },
  { id: 'companies', path: '/companies', group: 'platform', roles: ['platform_admin'] },
];

/** The pages a role may open, in menu order. */
export function pagesFor(role: Role | null | undefined): PageDef[] {
  if (!role) return [];
  return PAGES.filter((page) => page.roles.includes(role));
}

/** Where a role lands after signing in (or on "/"); null when the portal has nothing for it. */
export function homeFor(role: Role | null | undefined): string | null {
  return pagesFor(role)[0]?.path ?? null;
}

/** The page a path shows, if the role may open it. */
export function pageAt(path: string, role: Role | null | undefined): PageDef | null {
  const clean = path.replace(/\/+$/, '') || '/';
  return pagesFor(role).find((page) => page.path === clean) ?? null;
}

/** Actions beyond opening a page that only some roles have. */
export type Action =
  | 'shop.all' // see every shop of the company (all-shops dashboard)
  | 'staff.addManager'
  | 'company.editSettings'
  | 'company.create'
  | 'company.suspend'
  | 'promotions.everyShop'; // a promotion for every shop of the company

const ACTIONS: Record<Action, readonly Role[]> = {
  'shop.all': ['company_admin'],
  'staff.addManager': ['company_admin'],
  'company.editSettings': ['company_admin'],
  'company.create': ['platform_admin'],
  'company.suspend': ['platform_admin'],
  'promotions.everyShop': ['company_admin'],
};

export function can(role: Role | null | undefined, action: Action): boolean {
  return !!role && ACTIONS[action].includes(role);
}
