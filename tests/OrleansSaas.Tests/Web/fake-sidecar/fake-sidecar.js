// A fake web sidecar for the silo's tests, written from src/OrleansSaas.WebSidecar/PROTOCOL.md and sharing no code
// with the silo's client or the real sidecar. It speaks protocol 1 over stdio, keeps no keys of its own (it asks the
// silo), and is scripted by the test through files: commands dropped in $FAKE_SIDECAR_DIR/commands/*.json, and a
// journal of what it was asked, one JSON line per entry, in $FAKE_SIDECAR_DIR/journal.jsonl.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const crypto = require('node:crypto');

const dir = process.env.FAKE_SIDECAR_DIR;
const qrMs = Number(process.env.FAKE_QR_MS || 400);
const qrCount = Number(process.env.FAKE_QR_COUNT || 5);
const commands = path.join(dir, 'commands');
fs.mkdirSync(commands, { recursive: true });

const sessions = new Map(); // sessionKey -> { qrTimer, registered, phone }
const mediaTypes = ['image', 'video', 'audio', 'document', 'sticker'];
const media = new Map(); // networkMessageId of an inbound message -> { data (base64), mimetype }
const pending = new Map();
let nextId = 1;
let helloDone = false;

function journal(entry) {
  fs.appendFileSync(path.join(dir, 'journal.jsonl'), JSON.stringify({ pid: process.pid, at: Date.now(), ...entry }) + '\n');
}
function send(line) { process.stdout.write(JSON.stringify(line) + '\n'); }
function event(name, params) { send({ event: name, params }); }
function ask(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function stopQr(s) { if (s && s.qrTimer) { clearInterval(s.qrTimer); s.qrTimer = null; } }

async function start(p) {
  if (sessions.has(p.sessionKey)) return { alreadyStarted: true, resumed: false };
  const s = { registered: false };
  sessions.set(p.sessionKey, s);
  const loaded = await ask('auth.load', { sessionKey: p.sessionKey, creds: true, keys: { session: ['peer.0'], 'pre-key': ['1', '2'] } });
  let creds = loaded.creds ? JSON.parse(loaded.creds) : null;
  journal({ op: 'start', sessionKey: p.sessionKey, hadCreds: !!creds, registered: !!(creds && creds.registered), keys: loaded.keys });
  if (!creds) {
    creds = { registered: false, noiseKey: { type: 'Buffer', data: crypto.randomBytes(32).toString('base64') } };
    await ask('creds.save', { sessionKey: p.sessionKey, creds: JSON.stringify(creds) });
  }
  if (creds.registered) {
    s.registered = true;
    s.phone = creds.me;
    setTimeout(() => event('connection', { sessionKey: p.sessionKey, state: 'connected', phoneNumber: creds.me, pushName: creds.pushName }), 50);
    return { alreadyStarted: false, resumed: true };
  }
  let shown = 0;
  const showQr = () => {
    if (shown === qrCount) {
      stopQr(s);
      sessions.delete(p.sessionKey);
      event('connection', { sessionKey: p.sessionKey, state: 'disconnected', reason: 'pairing_timeout', code: 408 });
      return;
    }
    shown++;
    event('qr', { sessionKey: p.sessionKey, qr: `2@fake${shown},${crypto.randomBytes(8).toString('hex')}` });
  };
  setTimeout(showQr, 20);
  s.qrTimer = setInterval(showQr, qrMs);
  return { alreadyStarted: false, resumed: false };
}

// What a scripted test makes "the network" do.
async function command(c) {
  const s = sessions.get(c.sessionKey);
  switch (c.op) {
    case 'scan': {
      stopQr(s);
      await ask('auth.set', { sessionKey: c.sessionKey, data: { session: { 'peer.0': '{"k":"session-one"}' }, 'pre-key': { '1': '{"k":"pk1"}', '2': '{"k":"pk2"}' } } });
      await ask('auth.set', { sessionKey: c.sessionKey, data: { 'pre-key': { '2': null } } });
      await ask('creds.save', { sessionKey: c.sessionKey, creds: JSON.stringify({ registered: true, me: c.phone, pushName: c.pushName }) });
      s.registered = true;
      event('connection', { sessionKey: c.sessionKey, state: 'connected', phoneNumber: c.phone, pushName: c.pushName });
      break;
    }
    case 'inbound': {
      // Text by default; any type of PROTOCOL.md's message.inbound table with its content, media bytes in c.mediaData (base64).
      const type = c.type || 'text';
      const content = c.content || { text: c.text };
      const hasMedia = mediaTypes.includes(type);
      if (hasMedia) media.set(c.networkMessageId, { data: c.mediaData, mimetype: content.mimetype });
      event('message.inbound', {
        sessionKey: c.sessionKey, networkMessageId: c.networkMessageId, chat: `${c.from}@s.whatsapp.net`, from: `${c.from}@s.whatsapp.net`,
        fromMe: false, pushName: 'Peer', timestamp: Math.floor(Date.now() / 1000), type, content, hasMedia,
        raw: JSON.stringify({ key: { id: c.networkMessageId }, message: type === 'text' ? { conversation: c.text } : { [`${type}Message`]: content } }),
      });
      break;
    }
    case 'receipt':
      event('receipt', { sessionKey: c.sessionKey, networkMessageId: c.networkMessageId, chat: `${c.to}@s.whatsapp.net`, status: c.status });
      break;
    case 'close': {
      stopQr(s);
      const table = { 401: ['logged_out', 'logged_out'], 440: ['disconnected', 'replaced'], 500: ['disconnected', 'bad_session'] };
      const [state, reason] = table[c.code] || ['disconnected', 'connection_closed'];
      const reconnect = c.code === 428 ? { reconnectInMs: 1000 } : {};
      if (!reconnect.reconnectInMs) sessions.delete(c.sessionKey);
      event('connection', { sessionKey: c.sessionKey, state, reason, code: c.code, ...reconnect });
      break;
    }
    case 'crash':
      journal({ op: 'crash' });
      process.exit(70);
  }
}

setInterval(() => {
  for (const name of fs.readdirSync(commands)) {
    const file = path.join(commands, name);
    let c;
    try { c = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { continue; }
    if (!sessions.has(c.sessionKey)) continue; // another silo's sidecar holds it
    const claimed = file + '.' + process.pid;
    try { fs.renameSync(file, claimed); } catch { continue; }
    fs.unlinkSync(claimed);
    command(c).catch((e) => journal({ op: 'command_failed', error: String(e) }));
  }
}, 50);

const handlers = {
  hello: (p) => { helloDone = true; return { protocol: 1, sidecar: 'fake', baileys: 'none', node: process.version, limits: { maxInFlight: 64, maxInFlightToSilo: 32, maxLineBytes: 67108864, requestTimeoutMs: 30000 }, reconnect: p.reconnect }; },
  ping: () => ({ uptimeMs: Math.round(process.uptime() * 1000), sessions: sessions.size, inFlightToSilo: pending.size, rssBytes: process.memoryUsage().rss }),
  'session.start': start,
  'session.stop': (p) => { stopQr(sessions.get(p.sessionKey)); sessions.delete(p.sessionKey); journal({ op: 'stop', sessionKey: p.sessionKey }); return { closed: true }; },
  'session.logout': (p) => { stopQr(sessions.get(p.sessionKey)); sessions.delete(p.sessionKey); journal({ op: 'logout', sessionKey: p.sessionKey }); return { loggedOut: true }; },
  'pairing.code': (p) => {
    if (!/^\d{6,15}$/.test(p.phoneNumber || '')) throw { code: 'invalid_params', message: 'phoneNumber must be digits', field: 'phoneNumber' };
    journal({ op: 'pairing.code', sessionKey: p.sessionKey, phoneNumber: p.phoneNumber });
    return { code: 'FAKE-CODE' };
  },
  'message.send': (p) => {
    const s = sessions.get(p.sessionKey);
    if (!s || !s.registered) throw { code: 'not_connected', message: 'not connected', retryable: true };
    const networkMessageId = '3EB0' + crypto.randomBytes(8).toString('hex').toUpperCase();
    journal({ op: 'send', sessionKey: p.sessionKey, messageId: p.messageId, to: p.to, content: p.content, networkMessageId });
    return { networkMessageId, timestamp: Math.floor(Date.now() / 1000), raw: JSON.stringify({ key: { id: networkMessageId, fromMe: true } }) };
  },
  'media.download': (p) => {
    const id = JSON.parse(p.raw).key.id;
    journal({ op: 'media.download', sessionKey: p.sessionKey, networkMessageId: id });
    const m = media.get(id);
    if (!m) throw { code: 'download_failed', message: 'no media for that message' };
    return { data: m.data, mimetype: m.mimetype, fileLength: Buffer.from(m.data, 'base64').length };
  },
  'message.read': (p) => { journal({ op: 'read', sessionKey: p.sessionKey, messages: p.messages }); return {}; },
  'presence.typing': (p) => { journal({ op: 'typing', sessionKey: p.sessionKey, to: p.to, state: p.state }); return {}; },
};

readline.createInterface({ input: process.stdin }).on('line', async (text) => {
  let line;
  try { line = JSON.parse(text); } catch { return; }
  if ('ok' in line) {
    const waiter = pending.get(line.id);
    pending.delete(line.id);
    if (waiter) line.ok ? waiter.resolve(line.result) : waiter.reject(line.error);
    return;
  }
  if (!helloDone && line.method !== 'hello') return send({ id: line.id, ok: false, error: { code: 'handshake_required', message: 'hello first' } });
  const handler = handlers[line.method];
  if (!handler) return send({ id: line.id, ok: false, error: { code: 'unknown_method', message: line.method } });
  try {
    send({ id: line.id, ok: true, result: await handler(line.params || {}) });
  } catch (e) {
    send({ id: line.id, ok: false, error: { code: e.code || 'internal', message: e.message || String(e), field: e.field } });
  }
}).on('close', () => { journal({ op: 'exit' }); process.exit(0); });

journal({ op: 'started' });
