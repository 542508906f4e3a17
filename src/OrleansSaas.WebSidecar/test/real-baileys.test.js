// The real entry point (src/main.js) with the real Baileys makeWASocket, pointed at a host that
// cannot resolve (as web.whatsapp.com cannot here): the socket must close with a network reason and
// the sidecar must back off.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import makeWASocket, { BufferJSON } from 'baileys'
import { harness, sleep } from '../testing/fakes.js'
import { makeBaileysLogger } from '../src/logging.js'

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url))
const NETWORK_REASONS = ['timed_out', 'connection_closed', 'service_unavailable', 'network_error']

/** Starts src/main.js; `serve(method, params)` answers the sidecar's requests as the silo would. */
function spawnSidecar (serve) {
  const child = spawn(process.execPath, [MAIN], { stdio: ['pipe', 'pipe', 'pipe'], env: {
    ...process.env,
    SIDECAR_LOG_LEVEL: 'debug',
    SIDECAR_BAILEYS_LOG_LEVEL: 'debug',
    // .invalid never resolves (RFC 6761), so the close is the same on a machine that can reach WhatsApp
    SIDECAR_WA_WEBSOCKET_URL: 'wss://web.whatsapp.invalid/ws/chat'
  } })
  const lines = []
  const waiters = []
  let buf = ''
  let stderr = ''
  const send = obj => child.stdin.write(JSON.stringify(obj) + '\n')
  child.stderr.on('data', d => { stderr += d })
  child.stdout.on('data', d => {
    buf += d
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl)) // every stdout line must be protocol JSON
      buf = buf.slice(nl + 1)
      msg.at = Date.now()
      lines.push(msg)
      if (msg.method) send({ id: msg.id, ok: true, result: serve(msg.method, msg.params) })
      for (const w of [...waiters]) if (w.pred(msg)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(msg) }
    }
  })
  const next = (pred, timeoutMs = 15000) => new Promise((resolve, reject) => {
    const w = { pred, resolve }
    w.timer = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error('timed out waiting; stderr:\n' + stderr)) }, timeoutMs)
    waiters.push(w)
  })
  const reply = id => next(m => m.id === id && 'ok' in m)
  return { child, lines, send, next, reply, stderr: () => stderr }
}

test('real Baileys, no network: disconnected with a network reason, reconnects no sooner than the backoff, never crashes', { timeout: 40000 }, async () => {
  // The silo end keeps creds and keys in memory, as the C# side will keep them in PostgreSQL.
  const creds = new Map()
  const keys = new Map()
  const sc = spawnSidecar((method, p) => {
    if (method === 'auth.load') {
      const result = { keys: {} }
      if (p.creds) result.creds = creds.get(p.sessionKey) ?? null
      for (const [type, ids] of Object.entries(p.keys)) result.keys[type] = Object.fromEntries(ids.filter(id => keys.has(`${type}|${id}`)).map(id => [id, keys.get(`${type}|${id}`)]))
      return result
    }
    if (method === 'auth.set') for (const [type, entries] of Object.entries(p.data)) for (const [id, v] of Object.entries(entries)) v === null ? keys.delete(`${type}|${id}`) : keys.set(`${type}|${id}`, v)
    if (method === 'creds.save') creds.set(p.sessionKey, p.creds)
    if (method === 'message.get') return { raw: null }
    return {}
  })
  const exited = new Promise(resolve => sc.child.on('exit', (code, signal) => resolve({ code, signal })))
  const { reply, next } = sc

  try {
    sc.send({ id: 1, method: 'hello', params: { protocol: 1, reconnect: { initialMs: 1000, factor: 2, maxMs: 10000, jitter: 0.2 } } })
    const hello = await reply(1)
    assert.equal(hello.ok, true)
    assert.equal(hello.result.baileys, '7.0.0-rc14')
    assert.equal(hello.result.protocol, 1)

    const firstClose = next(m => m.event === 'connection')
    sc.send({ id: 2, method: 'session.start', params: { sessionKey: 'tenant-a/web-1' } })
    const started = await reply(2)
    assert.equal(started.ok, true, JSON.stringify(started.error))
    assert.equal(started.result.resumed, false)
    assert.ok(creds.has('tenant-a/web-1'), 'fresh creds were saved on the silo')

    const c1 = await firstClose
    assert.equal(c1.params.sessionKey, 'tenant-a/web-1')
    assert.equal(c1.params.state, 'disconnected')
    assert.ok(NETWORK_REASONS.includes(c1.params.reason), `network reason, got ${c1.params.reason} (code ${c1.params.code})`)
    assert.ok(c1.params.reconnectInMs >= 1000, `reconnectInMs ${c1.params.reconnectInMs}`)

    const c2 = await next(m => m.event === 'connection' && m.at > c1.at)
    assert.equal(c2.params.state, 'disconnected')
    assert.ok(c2.at - c1.at >= c1.params.reconnectInMs, `reconnected after ${c2.at - c1.at} ms, announced ${c1.params.reconnectInMs}`)
    assert.ok(c2.params.reconnectInMs >= 2000, 'the second wait is twice the first base')

    sc.send({ id: 3, method: 'ping', params: {} })
    assert.equal((await reply(3)).result.sessions, 1, 'still alive and holding the session')

    sc.send({ id: 4, method: 'session.stop', params: { sessionKey: 'tenant-a/web-1' } })
    assert.deepEqual((await reply(4)).result, { closed: true })
    const after = sc.lines.length
    await new Promise(resolve => setTimeout(resolve, c2.params.reconnectInMs + 800))
    assert.equal(sc.lines.slice(after).filter(m => m.event === 'connection').length, 0, 'no reconnect after stop')

    const saved = JSON.parse(creds.get('tenant-a/web-1'), BufferJSON.reviver)
    const secret = Buffer.from(saved.noiseKey.private).toString('base64')
    assert.ok(!sc.stderr().includes(secret), 'no key material in the logs')
    assert.ok(!sc.lines.some(m => m.event === 'error' && /uncaught/.test(m.params?.message ?? '')))

    sc.child.stdin.end() // the silo went away
    assert.deepEqual(await exited, { code: 0, signal: null })
  } finally {
    sc.child.kill()
  }
})

test('real Baileys: session.stop while the socket is still connecting confirms the close, with no reconnect after', { timeout: 20000 }, async () => {
  const made = []
  const h = harness({
    backoff: { initialMs: 300, factor: 2, maxMs: 1000, jitter: 0 },
    makeSocket: config => {
      const sock = makeWASocket({ ...config, logger: makeBaileysLogger(() => {}, 'silent'), waWebSocketUrl: 'wss://web.whatsapp.invalid/ws/chat' })
      made.push(sock)
      return sock
    }
  })
  await h.request('hello', { protocol: 1 })
  const started = await h.request('session.start', { sessionKey: 't/real' })
  assert.equal(started.ok, true)
  assert.equal(made.length, 1)
  const stop = await h.request('session.stop', { sessionKey: 't/real' })
  assert.deepEqual(stop.result, { closed: true })
  await sleep(800)
  assert.equal(made.length, 1, 'no new socket')
  assert.deepEqual(h.events.filter(e => e.event === 'connection'), [], 'our own stop is not reported as a disconnect')
})
