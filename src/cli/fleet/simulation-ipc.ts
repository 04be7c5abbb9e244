/**
 * The fleet simulator runs facekey nodes and device workers as child processes (so their memory is
 * measured apart, a node can be killed, and no process needs more sockets than its file limit) and
 * talks to them over Node's IPC channel: requests with answers, and events one way. An event's
 * promise resolves once the message is in the channel, so a node that reports a message as handled
 * before acknowledging it has the report on its way even if it is killed right after.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Handler = (params: never) => Promise<unknown>;

interface Request {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

interface Response {
  readonly kind: 'response';
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

interface Event {
  readonly kind: 'event';
  readonly name: string;
  readonly data: unknown;
}

type Envelope = Request | Response | Event;

interface Channel {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit' | 'disconnect', listener: () => void): unknown;
}

export class SimulationPeerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationPeerError';
  }
}

export class IpcPeer {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, ((data: unknown) => void)[]>();
  private gone = false;

  constructor(
    private readonly channel: Channel,
    private readonly name: string,
  ) {
    channel.on('message', (message) => this.receive(message as Envelope));
    const lost = (): void => {
      this.gone = true;
      for (const { reject } of this.waiting.values()) reject(new SimulationPeerError(`${this.name} is gone`));
      this.waiting.clear();
    };
    channel.on('exit', lost);
    channel.on('disconnect', lost);
  }

  request<T>(method: string, params: unknown = {}): Promise<T> {
    if (this.gone) return Promise.reject(new SimulationPeerError(`${this.name} is gone`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ kind: 'request', id, method, params }).catch(reject);
    });
  }

  /** Answers requests for `method`. */
  serve<P, R>(method: string, handler: (params: P) => Promise<R>): void {
    this.handlers.set(method, handler as unknown as Handler);
  }

  /** Resolves once the event is written to the channel. */
  emit(name: string, data: unknown): Promise<void> {
    return this.post({ kind: 'event', name, data });
  }

  on<T>(name: string, listener: (data: T) => void): void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as (data: unknown) => void);
    this.listeners.set(name, list);
  }

  private post(envelope: Envelope): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.channel.send) return reject(new SimulationPeerError('no IPC channel: run under facekey fleet simulate'));
      this.channel.send(envelope, (error) => (error ? reject(error) : resolve()));
    });
  }

  private receive(envelope: Envelope): void {
    if (envelope.kind === 'response') {
      const waiter = this.waiting.get(envelope.id);
      if (!waiter) return;
      this.waiting.delete(envelope.id);
      if (envelope.error !== undefined) waiter.reject(new SimulationPeerError(`${this.name}: ${envelope.error}`));
      else waiter.resolve(envelope.result);
    } else if (envelope.kind === 'request') {
      const handler = this.handlers.get(envelope.method);
      const answer = handler
        ? handler(envelope.params as never).then(
            (result): Response => ({ kind: 'response', id: envelope.id, result }),
            (error: unknown): Response => ({
              kind: 'response',
              id: envelope.id,
              error: error instanceof Error ? error.message : String(error),
            }),
          )
        : Promise.resolve<Response>({ kind: 'response', id: envelope.id, error: `no method ${envelope.method}` });
      void answer.then((response) => this.post(response)).catch(() => undefined);
    } else {
      for (const listener of this.listeners.get(envelope.name) ?? []) listener(envelope.data);
    }
  }
}

/** Starts `facekey fleet <subcommand>` as a child with an IPC channel (the same CLI and loader as this process). */
export function forkFleetProcess(subcommand: string, name: string): { child: ChildProcess; peer: IpcPeer } {
  const cli = process.argv[1];
  if (!cli) throw new SimulationPeerError('cannot tell which facekey CLI is running');
  const child = fork(cli, ['fleet', subcommand], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return { child, peer: new IpcPeer(child, name) };
}

/**
 * The child's side of the channel. A child whose simulator is gone (killed, crashed) leaves at once:
 * nobody can stop it any more, and an orphaned node or device worker would hold its broker
 * connections and database pool until someone finds it.
 */
export function parentPeer(): IpcPeer {
  if (!process.send) throw new SimulationPeerError('this command is started by facekey fleet simulate, not by hand');
  process.once('disconnect', () => process.exit(3));
  return new IpcPeer(process as unknown as Channel, 'simulator');
}

/** Resident memory of a process in MiB, from /proc (Linux), or null when it is gone. */
export async function residentMiB(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}
