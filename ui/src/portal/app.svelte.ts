// The portal's shared state: the session, the company and shops the signed-in manager works
// with (loaded once after sign-in), the shop the shop-level pages show, and the money and
// date format that follows from them. Pages read these; nothing else is global.

import { toHttpError, type WireError } from '$lib/http/client';
import { minorDigitsOf } from '$lib/format/currency';
import type { MoneyFormat } from '$lib/format/money';
import { i18n, toLocale, type Locale } from '$lib/i18n/index.svelte';
import { companies, shops as shopsApi } from './api/endpoints';
import { PortalSession } from './api/session.svelte';
import type { CompanyView, ShopView } from './api/types';
import { t } from './i18n';

export const session = new PortalSession({
  messages: () => ({ network: t('error.network'), badResponse: t('error.badResponse') }),
});

const SHOP_KEY = 'kassa-portal-shop';
const LOCALE_KEY = 'kassa-portal-locale';
const THEME_KEY = 'kassa-portal-theme';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

class Workspace {
  company = $state<CompanyView | null>(null);
  shops = $state<ShopView[]>([]);
  shopId = $state<string | null>(null);
  loading = $state(false);
  error = $state<WireError | null>(null);

  get shop(): ShopView | null {
    return this.shops.find((shop) => shop.id === this.shopId) ?? this.shops[0] ?? null;
  }

  get currency(): string {
    return this.company?.settings.currency ?? 'EUR';
  }

  /** Money and dates in the company's currency and the shown shop's zone (else the company's). */
  formatFor(shop: ShopView | null = this.shop): MoneyFormat {
    return {
      currency: this.currency,
      minorDigits: minorDigitsOf(this.currency),
      locale: i18n.locale,
      timeZone: shop?.timezone ?? this.company?.settings.timezone ?? 'UTC',
    };
  }

  get format(): MoneyFormat {
    return this.formatFor();
  }

  shopName(id: string | null | undefined): string {
    return this.shops.find((shop) => shop.id === id)?.name ?? id ?? '';
  }

  selectShop(id: string): void {
    this.shopId = id;
    try {
      sessionStorage.setItem(SHOP_KEY, id);
    } catch {
      // Not kept across reloads then.
    }
  }

  /** The company and its shops (a platform admin has neither). */
  async load(): Promise<void> {
    const user = session.user;
    if (!user?.company_id) {
      this.company = null;
      this.shops = [];
      return;
    }
    this.loading = true;
    this.error = null;
    try {
      const [company, shops] = await Promise.all([companies.get(session.api, user.company_id), shopsApi.all(session.api)]);
      this.company = company;
      this.shops = shops.filter((shop) => shop.status !== 'closed').sort((a, b) => a.name.localeCompare(b.name));
      let remembered: string | null = null;
      try {
        remembered = sessionStorage.getItem(SHOP_KEY);
      } catch {
        remembered = null;
      }
      this.shopId = this.shops.some((shop) => shop.id === remembered) ? remembered : (this.shops[0]?.id ?? null);
    } catch (error) {
      this.error = toHttpError(error);
    } finally {
      this.loading = false;
    }
  }

  clear(): void {
    this.company = null;
    this.shops = [];
    this.shopId = null;
    this.error = null;
  }
}

export const workspace = new Workspace();

export type Theme = 'system' | 'light' | 'dark';

class Preferences {
  theme = $state<Theme>('system');

  /** Language and theme from the last visit, else the browser's. */
  init(): void {
    const locale = stored(LOCALE_KEY);
    i18n.locale = locale === 'en' || locale === 'de' ? locale : toLocale(navigator.language);
    const theme = stored(THEME_KEY);
    this.theme = theme === 'light' || theme === 'dark' ? theme : 'system';
    this.#apply();
  }

  setLocale(locale: Locale): void {
    i18n.locale = locale;
    store(LOCALE_KEY, locale);
    document.documentElement.lang = locale;
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    store(THEME_KEY, theme);
    this.#apply();
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.theme;
    document.documentElement.lang = i18n.locale;
  }
}

export const preferences = new Preferences();
