import type { TapEvent } from '../api/console-types';

/**
 * Whether an event matches a filter text: every word must appear in its name, kind, audience
 * or data (case-insensitive). An empty filter matches everything.
 *
 * @example
 * matchesFilter(event, 'items.created role User');
 */
export function matchesFilter(event: TapEvent, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = `${event.event} ${event.kind} ${event.audience} ${event.data}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}
