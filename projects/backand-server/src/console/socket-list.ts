import type { Server } from 'socket.io';
import type { SocketData } from '../realtime/user-sockets';
import { NODE_ID } from './node-id';

/** One connected app socket as the console shows it (no credential of any kind). */
export interface SocketSummary {
  id: string;
  /** The process that holds it (see {@link NODE_ID}). */
  node: string;
  /** `user`, `anonymous` (a guest), `master`, or `null` before a successful `login`. */
  kind: string | null;
  username: string | null;
  role: string | null;
  /** Its audiences, for people: `all`, `role User`, `user ann@x`, `own rows of ann@x as User`. */
  audiences: string[];
  transport: string;
  /** When it connected (ISO). */
  connectedAt: string;
  address: string;
}

/** The sockets of this node on the app's namespace, oldest first. */
export function listSockets(io: Server, appName: string): SocketSummary[] {
  const out: SocketSummary[] = [];
  for (const socket of io.of('/').sockets.values()) {
    const identity = (socket.data as SocketData).identity;
    out.push({
      id: socket.id,
      node: NODE_ID,
      kind: identity?.kind ?? null,
      username: identity?.username ?? null,
      role: identity?.role ?? null,
      audiences: [...socket.rooms]
        .filter((room) => room !== socket.id)
        .map((room) => describeRoom(room, appName)),
      transport: socket.conn.transport.name,
      connectedAt: new Date(socket.handshake.issued).toISOString(),
      address: socket.handshake.address,
    });
  }
  return out.sort((a, b) => a.connectedAt.localeCompare(b.connectedAt));
}

/** A room name (see `realtime/rooms.ts`) in words; other rooms as they are named. */
export function describeRoom(room: string, appName: string): string {
  if (room === `app:${appName}`) return 'all';
  const prefixed = (prefix: string) =>
    room.startsWith(`${prefix}:${appName}:`)
      ? room.slice(prefix.length + appName.length + 2)
      : null;
  const role = prefixed('role');
  if (role !== null) return `role ${role}`;
  const user = prefixed('user');
  if (user !== null) return `user ${user}`;
  const roleUser = prefixed('role-user');
  if (roleUser !== null) {
    const colon = roleUser.indexOf(':');
    return `own rows of ${roleUser.slice(colon + 1)} as ${roleUser.slice(0, colon)}`;
  }
  return room;
}

/** How many sockets of this node are in any of `rooms` and in none of `except`. */
export function countRecipients(
  io: Server,
  rooms: readonly string[],
  except: readonly string[] = [],
): number {
  const members = io.of('/').adapter.rooms;
  const ids = new Set<string>();
  for (const room of rooms) for (const id of members.get(room) ?? []) ids.add(id);
  for (const room of except) for (const id of members.get(room) ?? []) ids.delete(id);
  return ids.size;
}
