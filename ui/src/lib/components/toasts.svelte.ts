// Short notes that do not belong to one field (a sync finished, a receipt was reprinted).
// Errors about an action go in an Alert next to it instead.

export interface Toast {
  id: number;
  kind: 'info' | 'ok' | 'warning' | 'error';
  message: string;
}

let nextId = 1;

class Toasts {
  list = $state<Toast[]>([]);

  /** Shows a toast for `ms` milliseconds (0: until dismissed). */
  push(kind: Toast['kind'], message: string, ms = 4000): void {
    const toast = { id: nextId++, kind, message };
    this.list = [...this.list.slice(-3), toast];
    if (ms > 0) setTimeout(() => this.dismiss(toast.id), ms);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((toast) => toast.id !== id);
  }
}

export const toasts = new Toasts();
