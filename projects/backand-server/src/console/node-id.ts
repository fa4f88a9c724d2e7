import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process's id among the nodes of an app: host name, process id and a random tag (a
 * restarted process on the same pid is another node). Shown by the console beside each socket.
 */
export const NODE_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
