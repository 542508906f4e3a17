import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BufferJSON, initAuthCreds, proto } from 'baileys'
import { harness, sleep } from '../testing/fakes.js'

const methods = h => h.siloRequests.map(r => r.method)

test('a new session starts with fresh creds and saves them at once', async () => {
  const h = harness()
  const s = await h.started('t/new')
  assert.deepEqual(methods(h), ['auth.load', 'creds.save'])
  assert.deepEqual(h.siloRequests[0].params, { sessionKey: 't/new', creds: true, keys: {} })
  const saved = JSON.parse(h.creds.get('t/new'), BufferJSON.reviver)
  assert.ok(Buffer.isBuffer(saved.noiseKey.private), 'buffers survive the BufferJSON round trip')
  assert.deepEqual(saved.noiseKey.private, s.config.auth.creds.noiseKey.private)
  assert.equal(saved.registered, false)
  await h.shutdown()
})

test('stored creds are resumed, revived with buffers', async () => {
  const h = harness()
  const creds = { ...initAuthCreds(), registered: true, me: { id: '4915123456789:3@s.whatsapp.net', name: 'Ada' } }
  h.creds.set('t/old', JSON.stringify(creds, BufferJSON.replacer))
  await h.request('hello', { protocol: 1 })
  const r = await h.request('session.start', { sessionKey: 't/old' })
  assert.deepEqual(r.result, { alreadyStarted: false, resumed: true })
  assert.deepEqual(methods(h), ['auth.load'], 'nothing to save yet')
  const got = h.sockets[0].config.auth.creds
  assert.ok(Buffer.isBuffer(got.signedIdentityKey.public))
  assert.deepEqual(got.signedIdentityKey.public, creds.signedIdentityKey.public)
  await h.shutdown()
})

test('creds.update merges into creds and saves all of them', async () => {
  const h = harness()
  const s = await h.started('t/a')
  s.ev.emit('creds.update', { me: { id: '4915123456789:3@s.whatsapp.net', name: 'Ada' }, registered: true, advSecretKey: 'c2VjcmV0' })
  await sleep(5)
  const saved = JSON.parse(h.creds.get('t/a'), BufferJSON.reviver)
  assert.equal(saved.registered, true)
  assert.equal(saved.me.name, 'Ada')
  assert.ok(Buffer.isBuffer(saved.noiseKey.public), 'the rest of the creds is kept')
  await h.shutdown()
})

test('keys: get asks the silo only for what it has not cached, set sends one batch with nulls as deletes', async () => {
  const h = harness()
  const s = await h.started('t/a')
  const keys = s.config.auth.keys
  const preKey = { private: Buffer.from([1, 2, 3]), public: Buffer.from([4, 5, 6]) }
  h.keys.set('t/a|pre-key|1', JSON.stringify(preKey, BufferJSON.replacer))
  h.siloRequests.length = 0

  const first = await keys.get('pre-key', ['1', '2'])
  assert.deepEqual(Object.keys(first), ['1'])
  assert.ok(Buffer.isBuffer(first['1'].private))
  assert.deepEqual(first['1'].public, preKey.public)
  assert.deepEqual(h.siloRequests.map(r => r.params), [{ sessionKey: 't/a', creds: false, keys: { 'pre-key': ['1', '2'] } }])

  await keys.get('pre-key', ['1', '2'])
  assert.equal(h.siloRequests.length, 1, 'hits and known misses come from the cache')

  await keys.set({ 'pre-key': { 1: null, 3: preKey }, session: { '4915@s.whatsapp.net.0': Buffer.from('sess') } })
  assert.equal(h.siloRequests.length, 2)
  const batch = h.siloRequests[1]
  assert.equal(batch.method, 'auth.set')
  assert.deepEqual(Object.keys(batch.params.data).sort(), ['pre-key', 'session'], 'the whole batch in one request')
  assert.equal(batch.params.data['pre-key']['1'], null)
  assert.equal(h.keys.has('t/a|pre-key|1'), false, 'deleted on the silo')
  assert.ok(h.keys.has('t/a|pre-key|3'))

  const after = await keys.get('pre-key', ['1', '3'])
  assert.deepEqual(Object.keys(after), ['3'])
  assert.equal(h.siloRequests.length, 2, 'the cache follows the committed batch')
  const sess = await keys.get('session', ['4915@s.whatsapp.net.0'])
  assert.equal(sess['4915@s.whatsapp.net.0'].toString(), 'sess')
  await h.shutdown()
})

test('app-state-sync-key values come back as proto.Message.AppStateSyncKeyData', async () => {
  const h = harness()
  const s = await h.started('t/a')
  const value = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from('k'), timestamp: 5 })
  await s.config.auth.keys.set({ 'app-state-sync-key': { AAAA: value } })
  h.sidecar.sessions.get('t/a').store.cache.map.clear()
  const got = await s.config.auth.keys.get('app-state-sync-key', ['AAAA'])
  assert.ok(got.AAAA instanceof proto.Message.AppStateSyncKeyData)
  assert.equal(Buffer.from(got.AAAA.keyData).toString(), 'k')
  await h.shutdown()
})

test('a batch the silo could not commit fails for Baileys and leaves the cache alone', async () => {
  const h = harness()
  const s = await h.started('t/a')
  const keys = s.config.auth.keys
  await keys.set({ 'sender-key': { g1: Buffer.from('old') } })
  h.handlers['auth.set'] = () => { throw Object.assign(new Error('transaction rolled back'), { code: 'storage_failed' }) }
  await assert.rejects(keys.set({ 'sender-key': { g1: Buffer.from('new') } }), e => e.code === 'storage_failed')
  const got = await keys.get('sender-key', ['g1'])
  assert.equal(got.g1.toString(), 'old')
  await h.shutdown()
})

test('session.stop waits for the key writes already sent and sends none after', async () => {
  const h = harness()
  const s = await h.started('t/a')
  let commit
  h.handlers['auth.set'] = () => new Promise(resolve => { commit = () => resolve({}) })
  const write = s.config.auth.keys.set({ session: { a: Buffer.from('x') } })
  await sleep(5)
  let stopped = false
  const stop = h.request('session.stop', { sessionKey: 't/a' }).then(r => { stopped = true; return r })
  await sleep(30)
  assert.equal(stopped, false, 'no stop confirmation while a key write is open')
  commit()
  await write
  assert.equal((await stop).ok, true)
  const before = h.siloRequests.length
  await assert.rejects(s.config.auth.keys.set({ session: { b: Buffer.from('y') } }), e => e.code === 'session_stopped')
  s.ev.emit('creds.update', { registered: true })
  await sleep(5)
  assert.equal(h.siloRequests.length, before, 'nothing reaches the silo for a stopped session')
})
