import {
  ChangeDetectorRef,
  DestroyRef,
  Injector,
  assertInInjectionContext,
  inject,
} from '@angular/core';
import type { Observable, Subscription } from 'rxjs';

/**
 * Options of the callback form of `on()`.
 *
 * @example
 * backand.on('broadcast', (m) => log(m), { destroyRef: this.destroyRef });
 */
export interface BackandListenOptions {
  /** Ends the listener when destroyed; default: the caller's `DestroyRef` in an injection context. */
  destroyRef?: DestroyRef;
  /** Resolve `DestroyRef` (and `ChangeDetectorRef`) from this injector instead. */
  injector?: Injector;
}

/**
 * Subscribes `callback` for the caller's lifetime: the given or ambient `DestroyRef` ends it.
 * In a component, each event also marks the view for check, which schedules change detection
 * in zoneless apps (and refreshes OnPush views in zone.js apps).
 */
export function listenWithLifecycle<T>(
  events: Observable<T>,
  callback: (data: T) => void,
  options: BackandListenOptions = {},
  event = '',
): Subscription {
  let destroyRef = options.destroyRef ?? null;
  let view: ChangeDetectorRef | null = null;
  const injector = options.injector;
  if (injector) {
    destroyRef ??= injector.get(DestroyRef);
    view = injector.get(ChangeDetectorRef, null);
  } else {
    try {
      // `inject()` throws outside an injection context (there is no public predicate for it).
      view = inject(ChangeDetectorRef, { optional: true });
      destroyRef ??= inject(DestroyRef);
    } catch {
      if (!destroyRef && (typeof ngDevMode === 'undefined' || ngDevMode)) {
        warnUnbound(event, callback);
      }
    }
  }
  const subscription = events.subscribe((data) => {
    callback(data);
    view?.markForCheck();
  });
  if (destroyRef) {
    try {
      const removeHook = destroyRef.onDestroy(() => subscription.unsubscribe());
      subscription.add(removeHook);
    } catch {
      // The context is already destroyed: nothing to listen for.
      subscription.unsubscribe();
    }
  }
  return subscription;
}

/** Call sites already warned about (event + callback source), so each warns once. */
const warned = new Set<string>();

/**
 * Dev mode only: a callback listener with no lifecycle lives until its `Subscription` is ended,
 * typically a leak when `on()` is called from `ngOnInit` (a component re-created keeps adding
 * listeners). Warns once per call site, naming the event and the fix.
 */
function warnUnbound(event: string, callback: (data: never) => void): void {
  const site = `${event}\n${String(callback)}`;
  if (warned.has(site)) return;
  warned.add(site);
  console.warn(
    `ngx-backand: on('${event}', callback) was called outside an injection context without ` +
      '{ destroyRef } or { injector }, so the listener is never removed automatically (called from ' +
      'ngOnInit, it adds one more listener each time the component is created). Pass ' +
      '{ destroyRef } (a field `private readonly destroyRef = inject(DestroyRef)`), call on() in the ' +
      'constructor or a field initialiser, or use on(event).subscribe(…) and unsubscribe yourself.',
  );
}

/**
 * The injector of an `inject*` helper: the given one, else the current injection context,
 * with a clear error naming the helper when there is neither.
 */
export function assertInjector(fn: (...args: never[]) => unknown, injector?: Injector): Injector {
  if (injector) return injector;
  assertInInjectionContext(fn);
  return inject(Injector);
}
