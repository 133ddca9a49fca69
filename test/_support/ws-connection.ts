/** @module The test WebSocket client after its upgrade: masked frames out, frames in parsed into messages in order (fragments, ping, close), and the WsClient API over them. */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { Msg, UpgradeResponse, WsClient } from "./ws-client.ts";

let requestSeq = 0;

/** The client of a socket whose upgrade succeeded; `initial` holds the bytes that followed the response head. */
export function clientOverSocket(
  socket: Socket,
  initial: Buffer,
  upgrade: UpgradeResponse,
): WsClient {
  const messages: Msg[] = [];
  let cursor = 0;
  let buf = initial;
  let fragments: Buffer[] = [];
  let firstOpcode = 0x1; // a fragmented message's kind comes from its first frame
  let closedFlag = false;
  let closeCode = 1006;
  const waiters = new Set<() => void>();
  let resolveClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((r) => (resolveClosed = r));
  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const frame = (opcode: number, payload: Uint8Array): Buffer => {
    const mask = randomBytes(4);
    const len = payload.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (len < 126) header[1] = 0x80 | len;
    else if (len < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!;
    return Buffer.concat([header, mask, body]);
  };
  const write = (opcode: number, payload: Uint8Array) => {
    if (!closedFlag && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const writeTogether = (payloads: Uint8Array[]) => {
    if (!closedFlag && !socket.destroyed) {
      socket.write(Buffer.concat(payloads.map((p) => frame(0x1, p))));
    }
  };

  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      const b0 = buf[0]!;
      const b1 = buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      const opcode = b0 & 0x0f;
      if (opcode === 0x8) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        write(0x8, payload.subarray(0, 2));
        finish();
        return;
      }
      if (opcode === 0x9) {
        write(0xa, payload);
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode !== 0) firstOpcode = opcode;
      fragments.push(Buffer.from(payload));
      if ((b0 & 0x80) === 0) continue;
      const whole = Buffer.concat(fragments);
      fragments = [];
      if (firstOpcode === 0x2) {
        messages.push({
          id: null,
          type: "__binary__",
          data: {},
          raw: "",
          bytes: new Uint8Array(whole),
        });
        continue;
      }
      const text = whole.toString("utf8");
      try {
        const parsed = JSON.parse(text) as Omit<Msg, "raw">;
        messages.push({ ...parsed, raw: text });
      } catch {
        messages.push({ id: null, type: "__not_json__", data: {}, raw: text });
      }
    }
  };
  const finish = () => {
    if (closedFlag) return;
    closedFlag = true;
    socket.end();
    resolveClosed(closeCode);
    wake();
  };
  socket.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    parse();
    wake();
  });
  socket.on("close", finish);
  socket.on("error", finish);
  if (buf.length > 0) {
    queueMicrotask(() => {
      parse();
      wake();
    });
  }

  const client: WsClient = {
    upgrade,
    messages,
    closed,
    get isClosed() {
      return closedFlag;
    },
    send: (value) => write(0x1, Buffer.from(JSON.stringify(value))),
    sendText: (text) => write(0x1, Buffer.from(text)),
    sendBinary: (bytes) => write(0x2, bytes),
    sendTogether: (values) => writeTogether(values.map((v) => Buffer.from(JSON.stringify(v)))),
    next(pred, timeoutMs = 5000, what = "a matching message") {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = cursor; i < messages.length; i++) {
            if (pred(messages[i]!)) {
              cursor = i + 1;
              cleanup();
              resolve(messages[i]!);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          // control messages say more about a stuck scenario than the last eeg_data do
          const control = messages.filter((m) => m.type !== "eeg_data").slice(-8);
          const recent = control.map((m) => m.raw.slice(0, 160)).join("\n  ");
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; last control messages:\n  ${recent}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(onWake);
        };
        const onWake = () => void check();
        if (check()) return;
        waiters.add(onWake);
      });
    },
    skipAll: () => void (cursor = messages.length),
    request(type, data, timeoutMs = 5000) {
      const id = `req-${++requestSeq}`;
      client.send(data === undefined ? { id, type } : { id, type, data });
      return client.next(
        (m) => m.id === id && m.type !== "eeg_data",
        timeoutMs,
        `the reply to ${type} (${id})`,
      );
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close() {
      write(0x8, Buffer.from([0x03, 0xe8]));
      setTimeout(() => socket.destroy(), 200);
    },
  };
  return client;
}
