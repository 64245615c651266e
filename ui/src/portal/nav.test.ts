import { describe, expect, it } from 'vitest';
import { can, homeFor, pageAt, pagesFor } from './nav';

describe('roles and pages', () => {
  it('gives a shop manager the shop pages but not company settings or the platform', () => {
    const ids = pagesFor('shop_manager').map((p) => p.id);
    expect(ids).toContain('dashboard');
    expect(ids).toContain('terminals');
    expect(ids).not.toContain('settings');
    expect(ids).not.toContain('companies');
    expect(can('shop_manager', 'staff.addManager')).toBe(false);
    expect(ids).toContain('promotions');
    expect(can('shop_manager', 'promotions.everyShop')).toBe(false);
  });

  it('gives a company admin the company pages, not the platform', () => {
    const ids = pagesFor('company_admin').map((p) => p.id);
    expect(ids).toContain('settings');
    expect(ids).not.toContain('companies');
    expect(can('company_admin', 'staff.addManager')).toBe(true);
    expect(can('company_admin', 'promotions.everyShop')).toBe(true);
  });

  it('gives a platform admin the platform only (it has no company)', () => {
    expect(pagesFor('platform_admin').map((p) => p.id)).toEqual(['companies']);
    expect(homeFor('platform_admin')).toBe('/companies');
  });

  it('has nothing for cashiers and customers', () => {
    expect(homeFor('cashier')).toBeNull();
    expect(homeFor('customer')).toBeNull();
    expect(homeFor(null)).toBeNull();
  });

  it('refuses a page the role may not open, whatever the URL says', () => {
    expect(pageAt('/settings', 'shop_manager')).toBeNull();
    expect(pageAt('/settings/', 'company_admin')?.id).toBe('settings');
    expect(pageAt('/companies', 'company_admin')).toBeNull();
  });
});
