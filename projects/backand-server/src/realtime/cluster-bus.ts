import { eventRow } from '../objects/rows';
import type { Server } from 'socket.io';
import type { RowEventTarget } from '../app-context';
import type { RealtimeHub } from './realtime-hub';
import { NODE_ID } from '../console/node-id';

/** Server-to-server events of the nodes of one app (Socket.IO `serverSideEmit`). */
export const CLUSTER_EVENTS = {
  /** A write committed on another node. */
  row: 'backand:row',
  /** An account changed on another node: re-check its sockets here. */
  recheck: 'backand:recheck',
  /** A socket logged in on another node with a role this node may not know (acked). */
  role: 'backand:role',
  /** A node that starts asks the others for the roles they know (acked). */
  roles: 'backand:roles',
  /** A node is alive (its id), every second. */
  alive: 'backand:alive',
  /** A node stops gracefully (its id): it has sent every notice. */
  leaving: 'backand:leaving',
} as const;

/** How long a node waits for the others to acknowledge a role or answer with theirs. */
const ACK_TIMEOUT_MS = 2000;

/** How often a node tells the others it is alive. */
const HEARTBEAT_MS = 1000;

/** A node not heard from for this long is gone (killed, or cut off from Redis). */
const LOST_AFTER_MS = 3500;

/** A committed write, as sent to the other nodes. */
interface RowMessage {
  object: string;
  event: 'created' | 'updated' | 'deleted';
  id: number;
  row: Record<string, unknown>;
  before?: Record<string, unknown>;
}

/**
 * The realtime side of one node of a cluster (`--redis`): the {@link RowEventTarget} that
 * request handlers call, over this node's {@link RealtimeHub}.
 *
 * - `emitAll`, `emitRole`, `emitUsers` and the automatic events of objects without a
 *   pre-defined filter go to rooms: the Socket.IO adapter carries them to every node (and into
 *   its stream, so connection-state recovery replays them on whichever node a client comes back
 *   to).
 * - What depends on the sockets themselves is evaluated where the sockets are: every committed
 *   write (object, event, id, row, and the row before an update) is sent to the other nodes,
 *   where the hub matches it against its own live queries (reading the row from the shared
 *   database) and its own sockets' pre-defined filters.
 * - A re-check after a sign-out, deletion, role or password change runs on every node.
 * - The rooms of automatic events name roles: every node knows every role that any node's
 *   sockets have (a login with a new role waits until the other nodes acknowledge it).
 * - Every node says it is alive each second. One not heard from for a few seconds (killed,
 *   perhaps between a commit and its notice) makes every other node re-read its live queries
 *   and send what changed: their lists end equal to the database. So does a node heard again
 *   after it was counted lost (one of the two was cut off from Redis and missed notices). A
 *   node that stops gracefully says so after its last notice, and changes nothing.
 */
export class ClusterBus implements RowEventTarget {
  private heartbeat?: NodeJS.Timeout;
  /** The other nodes (their {@link NODE_ID}) and when each was last heard from. */
  private readonly peers = new Map<string, number>();
  /** Nodes counted lost (not heard from for {@link LOST_AFTER_MS}) and not heard since. */
  private readonly forgotten = new Set<string>();

  constructor(
    private readonly io: Server,
    /** The hub of this node (the console taps its events). */
    readonly hub: RealtimeHub,
    /** The current role of a user (undefined when deleted), sent along with a re-check. */
    private readonly roleOf: (userId: number | string) => string | undefined,
    /** Where a node joining (info), lost or heard again (warn) is told. */
    private readonly log: { info(msg: string): void; warn(msg: string): void } = {
      info: () => undefined,
      warn: () => undefined,
    },
  ) {
    io.on(CLUSTER_EVENTS.row, (m: RowMessage) => {
      hub.onRemoteRowEvent(m.object, m.event, m.id, m.row, m.before);
    });
    io.on(CLUSTER_EVENTS.recheck, (m: { userId: string; role?: string }) => {
      if (m.role) hub.knowRole(m.role);
      hub.recheckUser(m.userId);
    });
    io.on(CLUSTER_EVENTS.role, (role: string, ack: () => void) => {
      hub.knowRole(role);
      if (typeof ack === 'function') ack();
    });
    io.on(CLUSTER_EVENTS.roles, (ack: (roles: string[]) => void) => {
      if (typeof ack === 'function') ack(hub.knownRoles());
    });
    io.on(CLUSTER_EVENTS.alive, (node: string) => {
      if (typeof node !== 'string') return;
      const known = this.peers.has(node);
      const back = !known && this.forgotten.delete(node);
      this.peers.set(node, Date.now());
      if (!known && !back) this.log.info(`cluster: node ${node} joined`);
      // A node heard again after it was counted lost: one of the two was cut off from Redis,
      // and the notices of that time are missed. Read the lists again.
      if (!back) return;
      this.log.warn(`cluster: node ${node} is heard again; live queries are read again`);
      this.hub.liveQueries.refreshAll();
    });
    io.on(CLUSTER_EVENTS.leaving, (node: string) => {
      this.peers.delete(node);
    });
    hub.shareRole = (role) => this.shareRole(role);
  }

  /** Learns the roles the other nodes know (call once the adapter is connected). */
  async start(): Promise<void> {
    // A node that does not answer in time announces its new roles itself when they log in.
    const answers = await this.ask(CLUSTER_EVENTS.roles);
    for (const roles of answers) {
      if (Array.isArray(roles)) for (const role of roles) this.hub.knowRole(String(role));
    }
    this.io.serverSideEmit(CLUSTER_EVENTS.alive, NODE_ID);
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS).unref();
  }

  /** Says goodbye to the other nodes (the node is stopping; its notices are all sent). */
  stop(): void {
    clearInterval(this.heartbeat);
    this.io.serverSideEmit(CLUSTER_EVENTS.leaving, NODE_ID);
  }

  /**
   * Says this node is alive, and forgets the nodes not heard from for {@link LOST_AFTER_MS}:
   * when one is gone, this node's live queries are read again.
   */
  private beat(): void {
    this.io.serverSideEmit(CLUSTER_EVENTS.alive, NODE_ID);
    const now = Date.now();
    let lost = false;
    for (const [node, seen] of this.peers) {
      if (now - seen <= LOST_AFTER_MS) continue;
      this.peers.delete(node);
      this.forgotten.add(node);
      this.log.warn(
        `cluster: node ${node} not heard from for ${LOST_AFTER_MS / 1000} s; live queries are read again`,
      );
      lost = true;
    }
    if (lost) this.hub.liveQueries.refreshAll();
  }

  emitAll(event: string, data: unknown): void {
    this.hub.emitAll(event, data);
  }

  emitRole(event: string, data: unknown, role: string): void {
    this.hub.emitRole(event, data, role);
  }

  emitUsers(event: string, data: unknown, users: readonly string[]): void {
    this.hub.emitUsers(event, data, users);
  }

  emitRowEvent(
    objectName: string,
    event: 'created' | 'updated' | 'deleted',
    id: number,
    row: Record<string, unknown>,
    before?: Record<string, unknown>,
  ): void {
    this.hub.emitRowEvent(objectName, event, id, row, before);
    const message: RowMessage = { object: objectName, event, id, row: eventRow(row) };
    if (before) message.before = before;
    this.io.serverSideEmit(CLUSTER_EVENTS.row, message);
  }

  recheckUser(userId: number | string): void {
    this.hub.recheckUser(userId);
    const role = this.roleOf(userId);
    this.io.serverSideEmit(CLUSTER_EVENTS.recheck, {
      userId: String(userId),
      ...(role ? { role } : {}),
    });
  }

  /** Tells every other node about a role, and resolves once they know it (or after a timeout). */
  private async shareRole(role: string): Promise<void> {
    // A node that does not answer (stopping, or gone) has no socket to reach.
    await this.ask(CLUSTER_EVENTS.role, role);
  }

  /** The other nodes' answers to a server-side event: those that came, never an error. */
  private ask(event: string, ...args: unknown[]): Promise<unknown[]> {
    return new Promise((resolve) => {
      // The adapter answers on its own too (after 5 s, or at once when this node is alone).
      const timer = setTimeout(() => resolve([]), ACK_TIMEOUT_MS);
      this.io.serverSideEmit(event, ...args, (_err: unknown, answers: unknown[]) => {
        clearTimeout(timer);
        resolve(Array.isArray(answers) ? answers : []);
      });
    });
  }
}
