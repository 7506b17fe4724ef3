import { createServer, type Server, type Socket } from 'node:net';
import { mongo } from 'mongoose';

// A tiny MongoDB server speaking just enough of the wire protocol (OP_QUERY for
// the driver's first handshake, OP_MSG after it) to drive the REAL driver into
// each failure mode on a machine where no mongod can be had. It is a standalone
// server: `hello` says so, and the driver then talks to it as `Single` topology.
//
// Modes, switchable at any time:
// - 'answer': answers every command (a minimal in-memory find/insert/update/
//   findAndModify/delete by `_id`, ok: 1 for anything else);
// - 'silent': answers the handshake and monitoring `hello`s, never anything else
//   (a server that accepts a command and never answers it);
// - 'drop': answers the handshake, then destroys the socket on the first other
//   command (a connection dropped mid-call);
// - 'refuse': stops listening and drops every open socket (connection refused);
//   switching to another mode listens on the same port again.

const { BSON } = mongo;
type Doc = Record<string, unknown>;

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

export type FakeMode = 'answer' | 'silent' | 'drop' | 'refuse';

export interface ReceivedCommand {
  name: string;
  body: Doc;
}

const HANDSHAKE = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'buildinfo', 'buildInfo']);

export interface FakeMongod {
  readonly port: number;
  /** `mongodb://127.0.0.1:<port>/<db>?directConnection=true` plus any extra query string. */
  uri(db?: string, query?: string): string;
  /** Every non-handshake command received, in order (with its `$readPreference`, `writeConcern`, `maxTimeMS`). */
  readonly commands: ReceivedCommand[];
  /** Documents per collection name, as stored by 'answer' mode. */
  readonly collections: Map<string, Map<string, Doc>>;
  /** Index specs per collection name (`listIndexes` answers these; `createIndexes`/`dropIndexes` change them). */
  readonly indexes: Map<string, Doc[]>;
  setMode(mode: FakeMode): Promise<void>;
  /**
   * Holds the next command called `name` (e.g. 'insert') until released: it is
   * neither applied nor answered before, as if stalled in the network.
   */
  holdNext(name: string): { arrived: Promise<void>; release: () => void };
  readonly mode: FakeMode;
  stop(): Promise<void>;
}

function helloReply(connectionId: number): Doc {
  // No topologyVersion: the driver polls with plain hellos instead of streaming.
  return {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

/** The `_id` a filter pins, if it is a plain equality on `_id`. */
function pinnedId(filter: unknown): string | undefined {
  const id = (filter as Doc | undefined)?._id;
  return typeof id === 'string' ? id : undefined;
}

/** Only the filter's plain string equalities are applied (operators are ignored). */
function matches(doc: Doc, filter: unknown): boolean {
  for (const [key, value] of Object.entries((filter as Doc | undefined) ?? {})) {
    if (typeof value === 'string' && doc[key] !== value) return false;
  }
  return true;
}

export interface FakeMongodOptions {
  /** Say `msg: 'isdbgrid'` in `hello`: the driver then treats it as a mongos and sends `$readPreference` on the wire. */
  mongos?: boolean;
}

export async function startFakeMongod(
  initial: FakeMode = 'answer',
  options: FakeMongodOptions = {},
): Promise<FakeMongod> {
  let mode: FakeMode = initial;
  let port = 0;
  let server: Server | null = null;
  let connectionIds = 0;
  const sockets = new Set<Socket>();
  const commands: ReceivedCommand[] = [];
  const collections = new Map<string, Map<string, Doc>>();
  const indexes = new Map<string, Doc[]>();
  const holds: { name: string; gate: Promise<void>; arrived: () => void }[] = [];
  const coll = (name: string) => {
    let docs = collections.get(name);
    if (!docs) {
      docs = new Map();
      collections.set(name, docs);
    }
    return docs;
  };

  const execute = (name: string, body: Doc, connectionId: number): Doc => {
    if (HANDSHAKE.has(name)) {
      if (name === 'ping') return { ok: 1 };
      if (name === 'buildinfo' || name === 'buildInfo') {
        return { version: '7.0.0', versionArray: [7, 0, 0, 0], maxBsonObjectSize: 16777216, ok: 1 };
      }
      return { ...helloReply(connectionId), ...(options.mongos ? { msg: 'isdbgrid' } : {}) };
    }
    const target = String(body[name]);
    const ns = `${String(body.$db)}.${target}`;
    switch (name) {
      case 'insert': {
        const docs = (body.documents as Doc[]) ?? [];
        for (const doc of docs) coll(target).set(String(doc._id), doc);
        return { n: docs.length, ok: 1 };
      }
      case 'find': {
        const firstBatch = [...coll(target).values()].filter((d) => matches(d, body.filter));
        return { cursor: { id: 0n, ns, firstBatch }, ok: 1 };
      }
      case 'delete': {
        let n = 0;
        for (const del of (body.deletes as { q: Doc }[]) ?? []) {
          const id = pinnedId(del.q);
          if (id !== undefined && coll(target).delete(id)) n++;
        }
        return { n, ok: 1 };
      }
      case 'update':
        return { n: 0, nModified: 0, ok: 1 };
      case 'findAndModify': {
        // The per-user lease (see lease.ts) is always free here: grant it.
        const holder = (
          body.update as { $set?: { holder?: { $cond?: { $literal?: string }[] } } }[]
        )?.[0]?.$set?.holder?.$cond?.[1]?.$literal;
        if (target.endsWith('_locks') && body.upsert === true && typeof holder === 'string') {
          const lease = {
            _id: pinnedId(body.query),
            holder,
            lockedUntil: new Date(Date.now() + 10_000),
          };
          return { lastErrorObject: { n: 1, updatedExisting: false }, value: lease, ok: 1 };
        }
        return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
      }
      case 'listIndexes':
        return { cursor: { id: 0n, ns, firstBatch: indexes.get(target) ?? [] }, ok: 1 };
      case 'createIndexes': {
        const specs = (body.indexes as Doc[]) ?? [];
        const kept = (indexes.get(target) ?? []).filter(
          (i) => !specs.some((s) => s.name === i.name),
        );
        indexes.set(target, [...kept, ...specs.map((s) => ({ v: 2, ...s }))]);
        return { ok: 1 };
      }
      case 'dropIndexes': {
        const names = ([] as unknown[]).concat(body.index);
        indexes.set(
          target,
          (indexes.get(target) ?? []).filter(
            (i) => !names.includes(i.name) && !names.includes('*'),
          ),
        );
        return { ok: 1 };
      }
      default:
        return { ok: 1 };
    }
  };

  const header = (length: number, requestId: number, responseTo: number, opCode: number) => {
    const buf = Buffer.alloc(16);
    buf.writeInt32LE(length, 0);
    buf.writeInt32LE(requestId, 4);
    buf.writeInt32LE(responseTo, 8);
    buf.writeInt32LE(opCode, 12);
    return buf;
  };

  const replyMsg = (requestId: number, doc: Doc): Buffer => {
    const bson = BSON.serialize(doc);
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), bson]);
    return Buffer.concat([header(16 + body.length, 0, requestId, OP_MSG), body]);
  };

  const replyLegacy = (requestId: number, doc: Doc): Buffer => {
    const bson = BSON.serialize(doc);
    const body = Buffer.alloc(20);
    body.writeInt32LE(0, 0); // responseFlags
    body.writeBigInt64LE(0n, 4); // cursorID
    body.writeInt32LE(0, 12); // startingFrom
    body.writeInt32LE(1, 16); // numberReturned
    return Buffer.concat([header(16 + 20 + bson.length, 0, requestId, OP_REPLY), body, bson]);
  };

  const onMessage = (socket: Socket, connectionId: number, message: Buffer) => {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    let body: Doc;
    let legacy = false;
    if (opCode === OP_QUERY) {
      legacy = true;
      const nameEnd = message.indexOf(0, 20);
      const docStart = nameEnd + 1 + 8;
      const size = message.readInt32LE(docStart);
      body = BSON.deserialize(message.subarray(docStart, docStart + size), {
        useBigInt64: true,
      }) as Doc;
    } else if (opCode === OP_MSG) {
      body = {};
      let offset = 20;
      while (offset < message.length) {
        const kind = message[offset];
        offset += 1;
        const size = message.readInt32LE(offset);
        if (kind === 0) {
          Object.assign(
            body,
            BSON.deserialize(message.subarray(offset, offset + size), { useBigInt64: true }),
          );
          offset += size;
        } else {
          // Document sequence: int32 size, cstring identifier, documents.
          const end = offset + size;
          const idEnd = message.indexOf(0, offset + 4);
          const identifier = message.subarray(offset + 4, idEnd).toString('utf8');
          const docs: Doc[] = [];
          let at = idEnd + 1;
          while (at < end) {
            const len = message.readInt32LE(at);
            docs.push(BSON.deserialize(message.subarray(at, at + len)) as Doc);
            at += len;
          }
          body[identifier] = docs;
          offset = end;
        }
      }
    } else {
      socket.destroy();
      return;
    }
    const name = Object.keys(body)[0] ?? '';
    const handshake = HANDSHAKE.has(name) && name !== 'ping';
    if (!handshake) {
      commands.push({ name, body });
      if (mode === 'silent') return;
      if (mode === 'drop' || mode === 'refuse') {
        socket.destroy();
        return;
      }
    }
    const respond = () => {
      const reply = execute(name, body, connectionId);
      if (!socket.destroyed) {
        socket.write(legacy ? replyLegacy(requestId, reply) : replyMsg(requestId, reply));
      }
    };
    const hold = holds.findIndex((h) => h.name === name);
    if (hold !== -1) {
      // A command stalled on its way: applied (and answered, if the socket is
      // still open) only when the test releases it.
      const [held] = holds.splice(hold, 1);
      held?.arrived();
      held?.gate.then(respond);
      return;
    }
    respond();
  };

  const onConnection = (socket: Socket) => {
    if (mode === 'refuse') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const connectionId = ++connectionIds;
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        onMessage(socket, connectionId, message);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        const address = next.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });

  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      const current = server;
      server = null;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  await listen();
  if (mode === 'refuse') await close();

  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    uri: (db = 'sessionkit_fake', query = '') =>
      `mongodb://127.0.0.1:${port}/${db}?directConnection=true${query ? `&${query}` : ''}`,
    commands,
    collections,
    indexes,
    holdNext(name: string) {
      let release = () => {};
      let arrived = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const arrival = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      holds.push({ name, gate, arrived });
      return { arrived: arrival, release };
    },
    async setMode(next: FakeMode) {
      const was = mode;
      mode = next;
      if (next === 'refuse' && was !== 'refuse') await close();
      else if (next !== 'refuse' && server === null) await listen();
    },
    stop: close,
  };
}
