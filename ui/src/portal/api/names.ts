// Names for the ids documents carry (a sale's staff_id, terminal_id, a balance's product_id):
// fetched once per shop or product and kept for the page's life, so tables show "Alex" and
// "Till 2" instead of UUIDs. Missing products are fetched a few at a time.

import type { Client } from '$lib/http/client';
import { catalog, staff, terminals } from './endpoints';
import type { CatalogProduct } from './types';

const people = new Map<string, Promise<Map<string, string>>>();
const tills = new Map<string, Promise<Map<string, string>>>();
const products = new Map<string, CatalogProduct | null>();

/** Staff id -> name for a shop (empty when the list cannot be read). */
export function staffNames(api: Client, shopId: string): Promise<Map<string, string>> {
  let names = people.get(shopId);
  if (!names) {
    names = staff
      .list(api, shopId)
      .then((list) => new Map(list.map((s) => [s.user_id, s.name])))
      .catch(() => new Map<string, string>());
    people.set(shopId, names);
  }
  return names;
}

/** Terminal id -> name for a shop. */
export function terminalNames(api: Client, shopId: string): Promise<Map<string, string>> {
  let names = tills.get(shopId);
  if (!names) {
    names = terminals
      .list(api, shopId)
      .then((list) => new Map(list.map((t) => [t.id, t.name])))
      .catch(() => new Map<string, string>());
    tills.set(shopId, names);
  }
  return names;
}

/** The products of these ids (null where one is gone), `parallel` requests at a time. */
export async function productsById(api: Client, ids: readonly string[], parallel = 6): Promise<Map<string, CatalogProduct | null>> {
  const missing = [...new Set(ids)].filter((id) => !products.has(id));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const id = missing[next++] as string;
      try {
        products.set(id, await catalog.get(api, id));
      } catch {
        products.set(id, null);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, missing.length) }, worker));
  return new Map(ids.map((id) => [id, products.get(id) ?? null]));
}

/** Remembers a product the page already has (a search hit), so no request is made for it. */
export function rememberProduct(product: CatalogProduct): void {
  products.set(product.id, product);
}

/** Forget everything (sign-out). */
export function forgetNames(): void {
  people.clear();
  tills.clear();
  products.clear();
}
