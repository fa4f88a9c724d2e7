/**
 * The rows every benchmark writes and reads, the same on every server: backand's demo `items`
 * shape, with a description padded to a chosen size so list payloads are equal in bytes.
 */

export const ITEM_COLUMNS = [
  'name',
  'description',
  'owner',
  'done',
  'price',
  'qty',
  'createdAt',
  'meta',
];

/** One item body for a create request (no id, no owner: the server fills those). */
export function itemBody(i, size = 64) {
  return {
    name: `item ${i}`,
    description: 'x'.repeat(size),
    done: i % 2 === 0,
    price: 9.5 + (i % 10),
    qty: i % 100,
  };
}

/** A full row for seeding a table directly. */
export function itemRow(i, size, owner) {
  return { ...itemBody(i, size), owner, createdAt: new Date(0).toISOString(), meta: null };
}
