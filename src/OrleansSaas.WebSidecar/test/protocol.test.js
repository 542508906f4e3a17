import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Peer, ProtocolError } from '../src/protocol.js'
import { harness, sleep } from '../testing/fakes.js'

test('nothing but hello is served before the handshake', async () => {
  const h = harness()
  const r = await h.request('session.start', { sessionKey: 't/s' })
  assert.equal(r.ok, false)
  assert.equal(r.error.code, 'handshake_required')
  assert.equal(h.sockets.length, 0)
})

test('hello answers the protocol, sidecar and Baileys versions and the limits', async () => {
  const h = harness({ limits: { maxIncoming: 7 } })
  const r = await h.request('hello', { protocol: 1 })
  assert.equal(r.ok, true)
  assert.equal(r.result.protocol, 1)
  assert.equal(r.result.sidecar, '0.0.0-test')
  assert.equal(r.result.baileys, 'test')
  assert.match(r.result.node, /^v\d+/)
  assert.equal(r.result.limits.maxInFlight, 7)
  const ping = await h.request('ping', {})
  assert.equal(ping.ok, true)
  assert.equal(ping.result.sessions, 0)
})

test('hello with another protocol version is refused', async () => {
  const h = harness()
  const r = await h.request('hello', { protocol: 2 })
  assert.equal(r.error.code, 'unsupported_protocol')
  assert.equal((await h.request('ping', {})).error.code, 'handshake_required')
})

test('hello can set the reconnect backoff, and refuses bad values naming the field', async () => {
  const h = harness()
  const bad = await h.request('hello', { protocol: 1, reconnect: { initialMs: -1 } })
  assert.equal(bad.error.code, 'invalid_params')
  assert.equal(bad.error.field, 'reconnect.initialMs')
  const ok = await h.request('hello', { protocol: 1, reconnect: { initialMs: 250, maxMs: 5000 } })
  assert.deepEqual(ok.result.reconnect, { initialMs: 250, factor: 2, maxMs: 5000, jitter: 0.2 })
})

test('every reply carries its request id, string or integer, even out of order', async () => {
  const h = harness()
  await h.request('hello', { protocol: 1 })
  const s = await h.started('t/a')
  s.open()
  let release
  s.sendHook = () => new Promise(resolve => { release = resolve })
  const slow = h.request('message.send', { sessionKey: 't/a', messageId: 'm1', to: '4915111111111', content: { type: 'text', text: 'hi' } }, 'slow-1')
  await sleep(5)
  const fast = await h.request('ping', {}, 42)
  assert.equal(fast.id, 42)
  assert.equal(fast.ok, true)
  release()
  const r = await slow
  assert.equal(r.id, 'slow-1')
  assert.equal(r.ok, true)
  await h.shutdown()
})

test('errors: unknown method, bad params naming the field, unknown session, bad lines', async () => {
  const h = harness()
  await h.request('hello', { protocol: 1 })
  assert.equal((await h.request('session.explode', {})).error.code, 'unknown_method')
  const noKey = await h.request('session.start', {})
  assert.equal(noKey.error.code, 'invalid_params')
  assert.equal(noKey.error.field, 'sessionKey')
  const missing = await h.request('message.send', { sessionKey: 'nope/x', messageId: 'm', to: '491511', content: { type: 'text', text: 'x' } })
  assert.equal(missing.error.code, 'session_not_found')
  h.sidecar.feed('{not json\n')
  h.sidecar.feed('[1,2]\n')
  h.sidecar.feed('{"method":"ping"}\n')
  const errs = h.events.filter(e => e.event === 'error').map(e => e.params.code)
  assert.deepEqual(errs, ['invalid_json', 'invalid_request', 'invalid_request'])
  const badParams = await new Promise(resolve => {
    const orig = h.sidecar.peer.write
    h.sidecar.peer.write = line => { const m = JSON.parse(line); if (m.id === 'p') resolve(m); else orig(line) }
    h.sidecar.feed('{"id":"p","method":"ping","params":[1]}\n')
  })
  assert.equal(badParams.error.field, 'params')
})

test('a line split across chunks is read as one request', async () => {
  const h = harness()
  const line = JSON.stringify({ id: 'x', method: 'hello', params: { protocol: 1 } }) + '\n'
  const reply = new Promise(resolve => {
    const orig = h.sidecar.peer.write
    h.sidecar.peer.write = l => { const m = JSON.parse(l); if (m.id === 'x') resolve(m); else orig(l) }
  })
  const bytes = Buffer.from(line)
  h.sidecar.feed(bytes.subarray(0, 10))
  h.sidecar.feed(bytes.subarray(10))
  assert.equal((await reply).ok, true)
})

test('backpressure from the silo: requests beyond the in-flight limit are refused with busy, retryable', async () => {
  const h = harness({ limits: { maxIncoming: 2 } })
  await h.request('hello', { protocol: 1 })
  const s = await h.started('t/a')
  s.open()
  const releases = []
  s.sendHook = () => new Promise(resolve => releases.push(resolve))
  const send = id => h.request('message.send', { sessionKey: 't/a', messageId: id, to: '4915111111111', content: { type: 'text', text: id } })
  const a = send('a')
  const b = send('b')
  const c = await send('c')
  assert.equal(c.ok, false)
  assert.equal(c.error.code, 'busy')
  assert.equal(c.error.retryable, true)
  await sleep(5)
  assert.equal(s.sent.length, 2, 'the refused request never reached the socket')
  releases.forEach(r => r())
  assert.equal((await a).ok, true)
  assert.equal((await b).ok, true)
  const d = send('d')
  await sleep(5)
  releases.forEach(r => r())
  assert.equal((await d).ok, true, 'a slot frees up once a reply went out')
  await h.shutdown()
})

test('backpressure towards the silo: at most maxOutgoing requests in flight, then a bounded queue, then busy', async () => {
  const written = []
  const peer = new Peer({ write: l => written.push(JSON.parse(l)), onRequest: async () => ({}), maxOutgoing: 2, maxQueued: 1 })
  const p1 = peer.request('auth.load', { n: 1 })
  const p2 = peer.request('auth.load', { n: 2 })
  const p3 = peer.request('auth.load', { n: 3 })
  await assert.rejects(peer.request('auth.load', { n: 4 }), e => e.code === 'busy')
  assert.deepEqual(written.map(w => w.params.n), [1, 2], 'the third waits for a slot')
  peer.feed(JSON.stringify({ id: written[0].id, ok: true, result: { a: 1 } }) + '\n')
  assert.deepEqual(await p1, { a: 1 })
  assert.deepEqual(written.map(w => w.params.n), [1, 2, 3])
  peer.feed(JSON.stringify({ id: written[1].id, ok: false, error: { code: 'storage_failed', message: 'db down' } }) + '\n')
  await assert.rejects(p2, e => e instanceof ProtocolError && e.code === 'storage_failed' && e.message === 'db down')
  peer.close()
  await assert.rejects(p3, e => e.code === 'silo_unavailable')
})

test('a request to the silo that gets no reply fails with timeout and frees its slot', async () => {
  const written = []
  const peer = new Peer({ write: l => written.push(JSON.parse(l)), onRequest: async () => ({}), maxOutgoing: 1, requestTimeoutMs: 30 })
  const p1 = peer.request('creds.save', {})
  const p2 = peer.request('creds.save', {})
  await assert.rejects(p1, e => e.code === 'timeout')
  assert.equal(written.length, 2, 'the queued request went out after the timeout')
  peer.feed(JSON.stringify({ id: written[1].id, ok: true, result: {} }) + '\n')
  await p2
  // a late reply to the timed-out request is ignored
  peer.feed(JSON.stringify({ id: written[0].id, ok: true, result: {} }) + '\n')
})
