/**
 * Domain events between features. A lower feature announces what happened
 * (`await events.emit('order.paid', …)`); a higher feature that must react
 * subscribes when the app is composed (`events.on('order.paid', …)`). So the
 * lower feature never imports the higher one, and the arrows in
 * docs/ARCHITECTURE.md stay one way.
 *
 * Listeners run in the order they were added and are awaited one by one; a
 * listener that throws makes `emit` throw, exactly as a direct call would.
 * That keeps the money paths' crash-and-retry behaviour: the emitter's
 * caller (a webhook, a periodic job) retries the whole idempotent step.
 *
 * Each feature declares its events by declaration merging:
 *
 *   declare module '../platform/events' {
 *     interface DomainEvents { 'order.paid': { orderId: string } }
 *   }
 *
 * One bus is made per app by `createApp`; nothing here is global.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each feature
export interface DomainEvents {}

export type EventName = keyof DomainEvents;
export type Listener<K extends EventName> = (payload: DomainEvents[K]) => Promise<void> | void;

export class EventBus {
  private readonly listeners = new Map<EventName, Listener<never>[]>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(name, list);
    return () => {
      const now = this.listeners.get(name);
      if (now)
        this.listeners.set(
          name,
          now.filter((l) => l !== (listener as Listener<never>)),
        );
    };
  }

  /** Runs every listener of `name` in turn and waits for each. */
  async emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    for (const listener of [...(this.listeners.get(name) ?? [])]) await (listener as Listener<K>)(payload);
  }

  /** How many listeners `name` has (for tests and start-up checks). */
  count(name: EventName): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}
