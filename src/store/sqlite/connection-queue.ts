import type Database from 'better-sqlite3';
import { SerialQueue } from '../sql/serial-queue.js';

const queues = new WeakMap<Database.Database, SerialQueue>();

/**
 * One queue per SQLite connection, shared by everything that writes through it. An async
 * transaction (SqliteDatabase) holds the queue from BEGIN to COMMIT; every other write waits its
 * turn, so no write of another request can slip into the open transaction between two of its
 * statements — where a rollback would undo it, or a crash before COMMIT lose it after it was
 * acknowledged.
 */
export function connectionQueue(db: Database.Database): SerialQueue {
  let queue = queues.get(db);
  if (!queue) {
    queue = new SerialQueue();
    queues.set(db, queue);
  }
  return queue;
}
