// Notices when nobody has touched the till for a while (for the auto-lock).

const INPUT_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` once after `seconds()` without input (0 = never), then again only after new
 * input and another quiet period. Returns the stop function.
 */
export function watchIdle(target: Window, seconds: () => number, onIdle: () => void, now = () => Date.now()): () => void {
  let last = now();
  let fired = false;
  const touch = (): void => {
    last = now();
    fired = false;
  };
  for (const name of INPUT_EVENTS) target.addEventListener(name, touch, { capture: true, passive: true });
  const timer = setInterval(() => {
    const limit = seconds();
    if (limit > 0 && !fired && now() - last >= limit * 1000) {
      fired = true;
      onIdle();
    }
  }, 1000);
  return () => {
    clearInterval(timer);
    for (const name of INPUT_EVENTS) target.removeEventListener(name, touch, { capture: true });
  };
}
