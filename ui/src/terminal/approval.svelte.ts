// Manager approval on demand: a command is tried as the cashier; when the till answers that a
// manager must approve (or, for logout, that facts are still queued), a manager PIN prompt
// opens and the same command is retried with the PIN, until it passes or the cashier cancels.

import { t } from '$lib/i18n/index.svelte';
import { CLIENT_CODES, TillError, toApiError } from '$lib/till/api';

/** Codes that a manager PIN can get past. */
const NEEDS_MANAGER = new Set(['manager_approval_required', 'unsynced_facts']);
/** Codes after which the prompt asks again (a mistyped PIN, a PIN without the role). */
const ASK_AGAIN = new Set(['wrong_pin', ...NEEDS_MANAGER]);

export interface ApprovalRequest {
  /** Why approval is needed (the till's message). */
  reason: string;
  /** What went wrong with the last PIN, if anything. */
  problem: string | null;
  answer: (pin: string | null) => void;
}

class ManagerPrompt {
  request = $state<ApprovalRequest | null>(null);

  /** Opens the prompt; resolves to the PIN typed, or null when cancelled. */
  ask(reason: string, problem: string | null): Promise<string | null> {
    return new Promise((resolve) => {
      this.request = {
        reason,
        problem,
        answer: (pin) => {
          this.request = null;
          resolve(pin);
        },
      };
    });
  }
}

export const managerPrompt = new ManagerPrompt();

/** Runs `command` as the cashier, asking for a manager PIN when the till wants one. */
export async function withManager<T>(command: (managerPin?: string) => Promise<T>): Promise<T> {
  try {
    return await command(undefined);
  } catch (error) {
    const first = toApiError(error);
    if (!NEEDS_MANAGER.has(first.code)) throw first;
    let problem: string | null = null;
    for (;;) {
      const pin = await managerPrompt.ask(first.message, problem);
      if (pin === null) throw new TillError({ code: CLIENT_CODES.cancelled, message: t('manager.cancelled') });
      try {
        return await command(pin);
      } catch (retryError) {
        const again = toApiError(retryError);
        if (!ASK_AGAIN.has(again.code)) throw again;
        problem = again.message;
      }
    }
  }
}
