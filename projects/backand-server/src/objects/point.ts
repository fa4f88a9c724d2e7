import { HttpError } from '../http/http-error';
import type { SqlValue } from './fields';

/** A geographic point: `[latitude, longitude]` in degrees. */
export type Point = [number, number];

/** Mean Earth radius (metres), as used by the haversine distance. */
const EARTH_RADIUS_M = 6_371_008.8;

/** The `$within…` operators of the NoSQL language and their unit in metres. */
export const WITHIN_UNITS: Readonly<Record<string, number>> = {
  $within: 1,
  $withinMeters: 1,
  $withinKilometers: 1000,
  $withinMiles: 1609.344,
  $withinFeet: 0.3048,
};

/**
 * Reads a point as a client sends it: `[lat, lng]` (numbers or numeric strings), or
 * `{lat|latitude, lng|lon|long|longitude}`. Latitude must be within ±90, longitude within ±180.
 * @returns `null` when the value is not a valid point.
 */
export function parsePoint(value: unknown): Point | null {
  let lat: unknown;
  let lng: unknown;
  if (Array.isArray(value)) {
    if (value.length !== 2) return null;
    [lat, lng] = value;
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    lat = o['lat'] ?? o['latitude'];
    lng = o['lng'] ?? o['lon'] ?? o['long'] ?? o['longitude'];
  } else return null;
  const a = toNumber(lat);
  const b = toNumber(lng);
  if (a === null || b === null || Math.abs(a) > 90 || Math.abs(b) > 180) return null;
  return [a, b];
}

/**
 * The SQL condition "the point in `column` lies within `metres` of `center`" (haversine
 * distance; stored points are JSON `[lat, lng]` text). Every number is a bound value.
 */
export function withinSql(
  column: string,
  center: Point,
  metres: number,
): { sql: string; params: SqlValue[] } {
  const lat = `json_extract(${column}, '$[0]')`;
  const lng = `json_extract(${column}, '$[1]')`;
  const haversine =
    `power(sin(radians(${lat} - ?) / 2), 2) + ` +
    `cos(radians(?)) * cos(radians(${lat})) * power(sin(radians(${lng} - ?) / 2), 2)`;
  return {
    sql:
      `(CASE WHEN json_valid(${column}) THEN ` +
      `${EARTH_RADIUS_M} * 2 * asin(CASE WHEN ${haversine} >= 1 THEN 1 ELSE sqrt(${haversine}) END) <= ? END)`,
    params: [center[0], center[0], center[1], center[0], center[0], center[1], metres],
  };
}

/**
 * Reads the operand of a `$within…` operator: `[[lat, lng], distance]`.
 * @throws HttpError 400 naming the field when it is malformed.
 */
export function parseWithin(
  field: string,
  op: string,
  operand: unknown,
): { center: Point; distance: number } {
  const bad = (): never => {
    throw new HttpError(
      400,
      `"${op}" on "${field}" takes [[latitude, longitude], distance] (latitude within ±90, longitude within ±180, distance ≥ 0)`,
      { field },
    );
  };
  if (!Array.isArray(operand) || operand.length !== 2) return bad();
  const center = parsePoint(operand[0]);
  const distance = toNumber(operand[1]);
  if (!center || distance === null || distance < 0) return bad();
  return { center, distance };
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) {
    return Number(v);
  }
  return null;
}
