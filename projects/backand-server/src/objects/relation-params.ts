import { HttpError } from '../http/http-error';

/** Levels `deep` reads when the request names none: the row, its related rows and theirs. */
export const DEFAULT_LEVEL = 3;
/** The deepest `level` served; larger values read this many. */
export const MAX_LEVEL = 5;

/** The relation parameters of a read: `deep`, `level`, `relatedObjects` (docs/PROTOCOL.md §5.8). */
export interface RelationParams {
  deep: boolean;
  /** Generations in the answer, the requested rows being the first: `level - 1` hops embedded. */
  level: number;
  relatedObjects: boolean;
  withMetadata: boolean;
}

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/**
 * Parses `deep`, `level` and `relatedObjects`. `level` is a positive integer (default
 * {@link DEFAULT_LEVEL}, capped at {@link MAX_LEVEL}); anything else is a `400`.
 */
export function parseRelationParams(
  query: Record<string, unknown>,
  withMetadata: boolean,
): RelationParams {
  const raw = first(query['level']);
  let level = DEFAULT_LEVEL;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
      throw new HttpError(400, 'Query parameter "level" must be a positive integer');
    }
    level = Math.min(Number(raw), MAX_LEVEL);
  }
  return {
    deep: isTrue(first(query['deep'])?.toLowerCase()),
    level,
    relatedObjects: isTrue(first(query['relatedObjects'])?.toLowerCase()),
    withMetadata,
  };
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}
