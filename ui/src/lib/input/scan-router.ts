// Where a scanned code goes: the screen in front registers a handler, a dialog registers `null`
// (its fields take the characters as typed, e.g. a loyalty card into a customer search), and
// the wedge listener only swallows scans while someone is taking them.

export type ScanHandler = (code: string) => void;

export class ScanRouter {
  // Entries are wrapped so that removing one `null` never removes another.
  private stack: { handler: ScanHandler | null }[] = [];

  /** Puts a handler (or `null`: let scans through as typing) on top; returns its remover. */
  push(handler: ScanHandler | null): () => void {
    const entry = { handler };
    this.stack.push(entry);
    return () => {
      this.stack = this.stack.filter((other) => other !== entry);
    };
  }

  /** Whether a scan would be taken now. */
  get capturing(): boolean {
    return Boolean(this.stack.at(-1)?.handler);
  }

  /** Hands a code to the handler on top; false when nobody takes scans now. */
  route(code: string): boolean {
    const handler = this.stack.at(-1)?.handler;
    if (!handler) return false;
    handler(code);
    return true;
  }
}

/** The app's one router, fed by the keyboard wedge and by the shell's "scan" event. */
export const scanRouter = new ScanRouter();
