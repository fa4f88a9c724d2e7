import {
  ChangeDetectorRef,
  DestroyRef,
  Injector,
  assertInInjectionContext,
  inject,
  runInInjectionContext,
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
): Subscription {
  let destroyRef = options.destroyRef ?? null;
  let view: ChangeDetectorRef | null = null;
  const fromContext = () => {
    destroyRef ??= inject(DestroyRef);
    view = inject(ChangeDetectorRef, { optional: true });
  };
  if (options.injector) {
    runInInjectionContext(options.injector, fromContext);
  } else if (!destroyRef) {
    if (isInInjectionContext()) fromContext();
  } else if (isInInjectionContext()) {
    view = inject(ChangeDetectorRef, { optional: true });
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

/** Whether `inject()` may be called here (there is no public predicate for it). */
function isInInjectionContext(): boolean {
  try {
    assertInInjectionContext(isInInjectionContext);
    return true;
  } catch {
    return false;
  }
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
