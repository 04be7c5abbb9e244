import pg from 'pg';
import { GALLERY_CHANNEL } from './migrations.js';

export interface GalleryChange {
  readonly op: 'insert' | 'delete';
  readonly tenantId: string;
  readonly subjectId: string;
  readonly templateId: string;
  readonly engineId: string;
  readonly engineVersion: string;
}

export interface GalleryChangeHandlers {
  readonly onChange: (change: GalleryChange) => void;
  /** After a lost connection: notifications may have been missed, so rebuild from the store. */
  readonly onResync: () => void;
}

/**
 * LISTENs on a dedicated connection for the template trigger's notifications of one schema.
 * Reconnects with backoff; every reconnect asks for a resync, since NOTIFY is not replayed.
 */
export async function listenGalleryChanges(
  connectionString: string,
  schema: string,
  handlers: GalleryChangeHandlers,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (isReconnect: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (message) => {
      if (message.channel !== GALLERY_CHANNEL || !message.payload) return;
      const payload = JSON.parse(message.payload) as GalleryChange & { schema: string };
      if (payload.schema !== schema) return;
      handlers.onChange(payload);
    });
    c.on('error', () => scheduleReconnect());
    c.on('end', () => scheduleReconnect());
    await c.connect();
    await c.query(`LISTEN ${GALLERY_CHANNEL}`);
    client = c;
    if (isReconnect) handlers.onResync();
  };

  const scheduleReconnect = (delayMs = 500): void => {
    if (closed || retry) return;
    client = undefined;
    retry = setTimeout(() => {
      retry = undefined;
      connect(true).catch(() => scheduleReconnect(Math.min(delayMs * 2, 10_000)));
    }, delayMs);
  };

  await connect(false);
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
