import { eventRow } from '../objects/rows';
import type { Server } from 'socket.io';
import type { RowEventTarget } from '../app-context';
import type { RealtimeHub } from './realtime-hub';

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
} as const;

/** How long a node waits for the others to acknowledge a role or answer with theirs. */
const ACK_TIMEOUT_MS = 2000;

/** How often a node counts the nodes of the cluster, to notice one that left. */
const WATCH_INTERVAL_MS = 1000;

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
 * - A node that leaves the cluster (stopped, or killed between a commit and its notice) makes
 *   every other node re-read its live queries: their lists end equal to the database. Nodes are
 *   counted every second as Redis sees them (subscribers of the adapter's channel), so a
 *   process that dies is noticed as soon as its connections close.
 */
export class ClusterBus implements RowEventTarget {
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly io: Server,
    /** The hub of this node (the console taps its events). */
    readonly hub: RealtimeHub,
    /** The current role of a user (undefined when deleted), sent along with a re-check. */
    private readonly roleOf: (userId: number | string) => string | undefined,
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
    hub.shareRole = (role) => this.shareRole(role);
  }

  /** Learns the roles the other nodes know (call once the adapter is connected). */
  async start(): Promise<void> {
    // A node that does not answer in time announces its new roles itself when they log in.
    const answers = await this.ask(CLUSTER_EVENTS.roles);
    for (const roles of answers) {
      if (Array.isArray(roles)) for (const role of roles) this.hub.knowRole(String(role));
    }
    this.watchNodes();
  }

  /** Stops counting the nodes (the node is stopping). */
  stop(): void {
    clearInterval(this.watch);
  }

  /**
   * Counts the nodes every {@link WATCH_INTERVAL_MS}; when there are fewer than at the last
   * count, refreshes this node's live queries. (A node that leaves and another that joins within
   * one interval cancel out; a restart takes longer than that.)
   */
  private watchNodes(): void {
    let last: number | undefined;
    let counting = false;
    this.watch = setInterval(() => {
      if (counting) return;
      counting = true;
      this.io
        .of('/')
        .adapter.serverCount()
        .then(
          (count) => {
            if (last !== undefined && count < last) this.hub.liveQueries.refreshAll();
            last = count;
          },
          // Redis unreachable: the count is taken again once it answers.
          () => undefined,
        )
        .finally(() => (counting = false));
    }, WATCH_INTERVAL_MS).unref();
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
