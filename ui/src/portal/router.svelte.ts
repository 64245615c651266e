// History-API routing for the portal: real paths (/products, /orders?id=...) that survive a
// reload (the server answers every non-/api path with index.html) and can be bookmarked.
// Filters live in the query string so the back button and a shared link restore them.

class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname);
  search = $state(typeof location === 'undefined' ? '' : location.search);

  /** The query string as a map; read in an effect or a derived to follow changes. */
  get query(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  param(name: string): string | null {
    return this.query.get(name);
  }

  /** Opens `href` (a path with an optional query) as a new history entry, or in place. */
  navigate(href: string, replace = false): void {
    const url = new URL(href, location.origin);
    if (url.pathname === this.path && url.search === this.search) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
    this.#sync();
    if (!replace) document.getElementById('main')?.focus({ preventScroll: true });
  }

  /** Changes some query parameters of the current page (empty or null removes one). */
  setParams(params: Record<string, string | number | null | undefined>, replace = true): void {
    const query = this.query;
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === undefined || value === '') query.delete(key);
      else query.set(key, String(value));
    }
    const text = query.toString();
    this.navigate(this.path + (text ? `?${text}` : ''), replace);
  }

  #sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }

  /** Follows back/forward and turns clicks on same-origin links into navigation. */
  listen(): () => void {
    const onPop = () => this.#sync();
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
      const url = new URL(link.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search);
    };
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }
}

export const router = new Router();
