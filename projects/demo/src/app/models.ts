import type { BackandDataEvent } from 'ngx-backand';

/** A row of the demo app's `items` object. */
export interface Item {
  id: number | string;
  name: string;
  description?: string | null;
  owner?: string | null;
  done?: boolean | null;
  createdAt?: string | null;
}

/** A row of the demo app's `metrics` object: one reading of a named series. */
export interface Metric {
  id: number | string;
  name: string;
  value: number;
  at?: string | null;
}

/** Sent by the `broadcast` action through `socket.emitAll`. */
export interface BroadcastMessage {
  message: string;
  from: string;
  at: string;
}

/** Sent by the `notifyRole` action through `socket.emitRole`. */
export interface RoleMessage extends BroadcastMessage {
  role: string;
}

/** Sent by the `notifyUsers` action through `socket.emitUsers`. */
export interface UserMessage extends BroadcastMessage {
  to: string[];
}

/** Sent by the `items_updated` afterUpdate action through `socket.emitAll`. */
export interface ItemsUpdatedMessage {
  id: number | string;
  name?: string;
  by: string;
}

// Typing the app's events once here makes every `socket.on('broadcast')` in the demo typed.
declare module 'ngx-backand' {
  interface BackandEventMap {
    'items.created': BackandDataEvent<Item>;
    'items.updated': BackandDataEvent<Item>;
    'items.deleted': BackandDataEvent<Item>;
    'metrics.created': BackandDataEvent<Metric>;
    'metrics.updated': BackandDataEvent<Metric>;
    'metrics.deleted': BackandDataEvent<Metric>;
    items_updated: ItemsUpdatedMessage;
    broadcast: BroadcastMessage;
    role_message: RoleMessage;
    user_message: UserMessage;
  }
}
