// One place near an action where its error shows: run the action through the slot, and a
// rejection lands in `error` (as the till's ApiError) instead of being thrown away. The cart is
// never touched here; the screen only replaces it with what a successful command returned.

import type { ApiError } from '$lib/bindings/ApiError';
import { CLIENT_CODES, toApiError } from '$lib/till/api';

export class ErrorSlot {
  error = $state<ApiError | null>(null);
  busy = $state(false);

  /** Runs `work`; on failure records the error and resolves to undefined. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    this.busy = true;
    try {
      return await work();
    } catch (error) {
      const apiError = toApiError(error);
      // A prompt the cashier closed is a choice, not a failure.
      if (apiError.code !== CLIENT_CODES.cancelled) this.error = { code: apiError.code, message: apiError.message };
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Shows an error made on this side (a field that does not parse). */
  show(code: string, message: string): void {
    this.error = { code, message };
  }

  clear(): void {
    this.error = null;
  }
}
