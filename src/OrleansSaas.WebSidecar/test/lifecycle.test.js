import { test } from 'node:test'
import assert from 'node:assert/strict'
import { harness, sleep } from '../testing/fakes.js'
import { backoffDelay, classifyClose } from '../src/lifecycle.js'

const BACKOFF = { initialMs: 40, factor: 2, maxMs: 400, jitter: 0.2 }
const connectionEvents = h => h.events.filter(e => e.event === 'connection').map(e => e.params)

test('qr events carry the QR string; open reports connected with number and push name', async () => {
  const h = harness()
  const s = await h.started('t/a')
  s.qr('2@first')
  s.qr('2@second')
  assert.deepEqual(h.events.filter(e => e.event === 'qr').map(e => e.params), [{ sessionKey: 't/a', qr: '2@first' }, { sessionKey: 't/a', qr: '2@second' }])
  s.open({ id: '4915123456789:7@s.whatsapp.net', name: 'Ada' })
  assert.deepEqual(connectionEvents(h), [{ sessionKey: 't/a', state: 'connected', phoneNumber: '4915123456789', pushName: 'Ada' }])
  await h.shutdown()
})

test('515 restart required: a new socket at once, nothing reported', async () => {
  const h = harness()
  const s = await h.started('t/a')
  s.qr()
  s.close(515)
  await sleep(10)
  assert.equal(h.sockets.length, 2)
  assert.deepEqual(connectionEvents(h), [])
  assert.equal(h.sockets[1].config.auth.creds, s.config.auth.creds, 'the new socket reuses the same creds')
  h.sockets[1].open()
  assert.equal(connectionEvents(h)[0].state, 'connected')
  await h.shutdown()
})

test('515 again and again without an open is not a busy loop: after 3 it backs off', async () => {
  const h = harness({ backoff: BACKOFF })
  await h.started('t/a')
  for (let i = 0; i < 4; i++) {
    h.sockets.at(-1).close(515)
    await sleep(5)
  }
  const ev = connectionEvents(h)
  assert.equal(ev.length, 1)
  assert.equal(ev[0].state, 'disconnected')
  assert.equal(ev[0].reason, 'restart_required')
  assert.ok(ev[0].reconnectInMs >= BACKOFF.initialMs)
  await h.shutdown()
})

for (const [code, state, reason] of [[401, 'logged_out', 'logged_out'], [403, 'logged_out', 'forbidden'], [440, 'disconnected', 'replaced'], [500, 'disconnected', 'bad_session'], [411, 'disconnected', 'multidevice_mismatch']]) {
  test(`${code} → ${state} (${reason}), no reconnect, session released`, async () => {
    const h = harness({ backoff: BACKOFF })
    const s = await h.started('t/a')
    s.open()
    s.close(code)
    await sleep(BACKOFF.initialMs * 4) // a reconnect would have come after at most 1.2 × initialMs
    assert.equal(h.sockets.length, 1, 'no new socket')
    const ev = connectionEvents(h)
    assert.deepEqual(ev.at(-1), { sessionKey: 't/a', state, reason, code })
    assert.equal(h.sidecar.sessions.has('t/a'), false)
    const again = await h.request('session.start', { sessionKey: 't/a' })
    assert.equal(again.result.alreadyStarted, false, 'the silo may start it again deliberately')
    await h.shutdown()
  })
}

for (const [code, reason] of [[408, 'timed_out'], [428, 'connection_closed'], [503, 'service_unavailable'], [undefined, 'network_error'], [499, 'closed_499']]) {
  test(`${code ?? 'network error'} → disconnected (${reason}) and a reconnect no sooner than the backoff`, async () => {
    const h = harness({ backoff: BACKOFF })
    const s = await h.started('t/a')
    s.open()
    const closedAt = Date.now()
    s.close(code)
    const ev = connectionEvents(h).at(-1)
    assert.equal(ev.state, 'disconnected')
    assert.equal(ev.reason, reason)
    assert.equal(ev.code, code)
    assert.ok(ev.reconnectInMs >= BACKOFF.initialMs && ev.reconnectInMs <= BACKOFF.initialMs * 1.2 + 1, `reconnectInMs ${ev.reconnectInMs}`)
    assert.equal(h.sockets.length, 1)
    await sleep(ev.reconnectInMs + 60)
    assert.equal(h.sockets.length, 2, 'reconnected')
    assert.ok(h.sockets[1].createdAt - closedAt >= ev.reconnectInMs - 1, 'not faster than announced')
    await h.shutdown()
  })
}

test('consecutive failures back off exponentially, never faster than configured; an open resets it', async () => {
  const h = harness({ backoff: BACKOFF })
  await h.started('t/a')
  const delays = []
  for (let i = 0; i < 4; i++) {
    const s = h.sockets.at(-1)
    const closedAt = Date.now()
    s.close(408)
    const announced = connectionEvents(h).at(-1).reconnectInMs
    delays.push(announced)
    while (h.sockets.at(-1) === s) await sleep(5)
    assert.ok(h.sockets.at(-1).createdAt - closedAt >= announced - 1)
  }
  delays.forEach((d, i) => assert.ok(d >= Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** i), `attempt ${i}: ${d}`))
  h.sockets.at(-1).open()
  h.sockets.at(-1).close(428)
  assert.ok(connectionEvents(h).at(-1).reconnectInMs < BACKOFF.initialMs * 2, 'back to the first step after an open')
  await h.shutdown()
})

test('backoffDelay: base·factor^n within [base, base·(1+jitter)], capped', () => {
  const o = { initialMs: 1000, factor: 2, maxMs: 30000, jitter: 0.25 }
  assert.equal(backoffDelay(0, o, () => 0), 1000)
  assert.equal(backoffDelay(0, o, () => 1), 1250)
  assert.equal(backoffDelay(3, o, () => 0), 8000)
  assert.equal(backoffDelay(20, o, () => 0), 30000)
  assert.equal(backoffDelay(20, o, () => 1), 37500)
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(2, o)
    assert.ok(d >= 4000 && d <= 5000)
  }
})

test('a 408 while still pairing (QR refs ran out) stops instead of showing QR codes forever', async () => {
  const h = harness({ backoff: BACKOFF })
  const s = await h.started('t/a')
  s.qr()
  s.close(408)
  await sleep(BACKOFF.initialMs * 2)
  assert.equal(h.sockets.length, 1)
  assert.deepEqual(connectionEvents(h).at(-1), { sessionKey: 't/a', state: 'disconnected', reason: 'pairing_timeout', code: 408 })
  assert.equal(classifyClose(undefined).reason, 'network_error')
  await h.shutdown()
})

test('session.stop closes the socket, cancels a pending reconnect and confirms only after the close', async () => {
  const h = harness({ backoff: { ...BACKOFF, initialMs: 100 } })
  const s = await h.started('t/a')
  s.open()
  // a real socket reports its close a little after end() returns
  s.end = async () => { setTimeout(() => { s.ended = true; s.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: undefined } }) }, 60) }
  const asked = Date.now()
  const r = await h.request('session.stop', { sessionKey: 't/a' })
  assert.deepEqual(r.result, { closed: true })
  assert.equal(s.ended, true, 'the reply came after the close')
  assert.ok(Date.now() - asked >= 55)
  assert.equal(h.sidecar.sessions.has('t/a'), false)
  assert.deepEqual(connectionEvents(h).filter(e => e.state !== 'connected'), [], 'our own close is not reported as a disconnect')

  const s2 = await h.started('t/b')
  s2.close(408) // reconnect scheduled in ≥100 ms
  await h.request('session.stop', { sessionKey: 't/b' })
  const count = h.sockets.length
  await sleep(250)
  assert.equal(h.sockets.length, count, 'no reconnect after stop')
  assert.deepEqual((await h.request('session.stop', { sessionKey: 't/b' })).result, { closed: true }, 'stopping a stopped session is fine')
})

test('session.logout asks WhatsApp to unlink, closes, and reports no extra disconnect', async () => {
  const h = harness()
  const s = await h.started('t/a')
  s.open()
  const r = await h.request('session.logout', { sessionKey: 't/a' })
  assert.deepEqual(r.result, { loggedOut: true })
  assert.equal(s.loggedOut, true)
  assert.equal(h.sidecar.sessions.has('t/a'), false)
  assert.equal(connectionEvents(h).length, 1)
})

test('session.start is idempotent while running', async () => {
  const h = harness()
  await h.request('hello', { protocol: 1 })
  const [a, b] = await Promise.all([h.request('session.start', { sessionKey: 't/a' }), h.request('session.start', { sessionKey: 't/a' })])
  assert.equal(a.ok && b.ok, true)
  assert.equal(h.sockets.length, 1)
  assert.equal([a, b].filter(r => r.result.alreadyStarted).length, 1)
  await h.shutdown()
})

test('pairing code: after the first QR, formatted ABCD-EFGH; session.start with a number requests it by itself', async () => {
  const h = harness()
  const s = await h.started('t/a')
  const pending = h.request('pairing.code', { sessionKey: 't/a', phoneNumber: '+4915123456789' })
  await sleep(5)
  assert.deepEqual(s.pairing, [], 'waits for the first QR')
  s.qr()
  const r = await pending
  assert.deepEqual(r.result, { code: 'ABCD-1234' })
  assert.deepEqual(s.pairing, ['4915123456789'])
  const bad = await h.request('pairing.code', { sessionKey: 't/a', phoneNumber: '12ab' })
  assert.equal(bad.error.field, 'phoneNumber')

  const s2 = await h.started('t/b', { phoneNumber: '4915000000001' })
  s2.qr()
  const ev = await h.waitEvent(e => e.event === 'pairing.code')
  assert.deepEqual(ev.params, { sessionKey: 't/b', code: 'ABCD-1234' })
  await h.shutdown()
})

test('after a close for good, stop and a new start wait for the old socket\'s key writes', async () => {
  const h = harness()
  const s = await h.started('t/a')
  s.open()
  let commit
  h.handlers['auth.set'] = () => new Promise(resolve => { commit = () => resolve({}) })
  const write = s.config.auth.keys.set({ session: { a: Buffer.from('x') } })
  await sleep(5)
  s.close(440)
  let stopped = false
  const stop = h.request('session.stop', { sessionKey: 't/a' }).then(r => { stopped = true; return r })
  const start = h.request('session.start', { sessionKey: 't/a' })
  await sleep(30)
  assert.equal(stopped, false)
  assert.equal(h.sockets.length, 1, 'no new socket while the old one\'s write is open')
  commit()
  await write
  assert.deepEqual((await stop).result, { closed: true })
  assert.equal((await start).result.alreadyStarted, false)
  assert.equal(h.sockets.length, 2)
  await h.shutdown()
})
