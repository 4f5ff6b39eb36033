/**
 * One pending run per key (document URI): scheduling again replaces the pending run, so a burst of
 * keystrokes costs one analysis. A delay of 0 runs at once, synchronously — callers (and the benchmark)
 * rely on diagnostics following each change without waiting for a timer.
 */
export class KeyedDebouncer {
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly run: (key: string) => void) {}

  schedule(key: string, delayMs: number): void {
    this.cancel(key);
    if (delayMs <= 0) {
      this.run(key);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.run(key);
    }, delayMs);
    this.pending.set(key, timer);
  }

  cancel(key: string): void {
    const timer = this.pending.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.pending.delete(key);
    }
  }

  cancelAll(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  isPending(key: string): boolean {
    return this.pending.has(key);
  }
}
