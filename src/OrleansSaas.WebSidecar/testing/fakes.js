// Test doubles: a socket that emits events shaped like Baileys' and a silo end of the protocol.
import { EventEmitter } from 'node:events'
import { Sidecar } from '../src/sidecar.js'

/** A Boom-like error as Baileys puts it in lastDisconnect.error. */
export function boom (statusCode, message = 'Connection Failure') {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: { statusCode, message } } })
}

export class FakeSocket {
  constructor (config) {
    this.config = config
    this.ev = new EventEmitter()
    this.createdAt = Date.now()
    this.sent = []
    this.read = []
    this.presence = []
    this.pairing = []
    this.ended = false
    this.seq = 0
    this.sendHook = null
  }

  async end (error) {
    if (this.ended) return
    this.ended = true
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } })
  }

  async logout () { this.loggedOut = true; await this.end(boom(401, 'Intentional Logout')) }

  async sendMessage (jid, content, options) {
    this.sent.push({ jid, content, options })
    if (this.sendHook) await this.sendHook()
    return { key: { remoteJid: jid, id: `3EB0${String(++this.seq).padStart(16, '0')}`, fromMe: true }, message: { conversation: content.text ?? '' }, messageTimestamp: 1764600000 }
  }

  async readMessages (keys) { this.read.push(keys) }
  async sendPresenceUpdate (state, jid) { this.presence.push({ state, jid }) }
  async requestPairingCode (digits) { this.pairing.push(digits); return 'ABCD1234' }
  async updateMediaMessage (m) { return m }

  // what the network would make Baileys emit
  qr (qr = 'ref,noise,identity,adv') { this.ev.emit('connection.update', { qr }) }
  open (user = { id: '4915123456789:12@s.whatsapp.net', name: 'Ada' }) {
    this.user = user
    this.ev.emit('connection.update', { connection: 'open' })
  }

  close (statusCode) {
    this.ended = true
    const error = statusCode === undefined ? Object.assign(new Error('getaddrinfo ENOTFOUND web.whatsapp.com'), { code: 'ENOTFOUND' }) : boom(statusCode)
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } })
  }
}

/**
 * A Sidecar fed through its protocol, with a silo end that keeps creds/keys/messages in maps.
 * `silo.handlers[method]` may be replaced to hold or fail the sidecar's requests.
 */
export function harness ({ backoff = { initialMs: 40, factor: 2, maxMs: 400, jitter: 0.2 }, limits, makeSocket, downloadMedia } = {}) {
  const sockets = []
  const events = []
  const siloRequests = []
  const waiters = new Map()
  const eventWaiters = []
  const creds = new Map()
  const keys = new Map() // `${sessionKey}|${type}|${id}` → encoded value
  const messages = new Map() // networkMessageId → raw
  let nextId = 0

  const handlers = {
    'auth.load': p => {
      const out = { keys: {} }
      if (p.creds) out.creds = creds.get(p.sessionKey) ?? null
      for (const [type, ids] of Object.entries(p.keys ?? {})) {
        out.keys[type] = {}
        for (const id of ids) {
          const v = keys.get(`${p.sessionKey}|${type}|${id}`)
          if (v !== undefined) out.keys[type][id] = v
        }
      }
      return out
    },
    'auth.set': p => {
      for (const [type, entries] of Object.entries(p.data)) {
        for (const [id, v] of Object.entries(entries)) {
          if (v === null) keys.delete(`${p.sessionKey}|${type}|${id}`)
          else keys.set(`${p.sessionKey}|${type}|${id}`, v)
        }
      }
      return {}
    },
    'creds.save': p => { creds.set(p.sessionKey, p.creds); return {} },
    'message.get': p => ({ raw: messages.get(p.key.id) ?? null })
  }

  const feed = obj => sidecar.feed(JSON.stringify(obj) + '\n')

  const onLine = line => {
    const msg = JSON.parse(line)
    if ('ok' in msg) {
      waiters.get(msg.id)?.(msg)
      waiters.delete(msg.id)
    } else if ('method' in msg) {
      siloRequests.push(msg)
      Promise.resolve()
        .then(() => handlers[msg.method](msg.params))
        .then(result => feed({ id: msg.id, ok: true, result }),
          err => feed({ id: msg.id, ok: false, error: { code: err.code ?? 'failed', message: err.message } }))
    } else {
      events.push({ ...msg, at: Date.now() })
      for (const w of [...eventWaiters]) {
        if (w.pred(msg)) { eventWaiters.splice(eventWaiters.indexOf(w), 1); w.resolve({ ...msg, at: Date.now() }) }
      }
    }
  }

  const sidecar = new Sidecar({
    write: onLine,
    makeSocket: makeSocket ?? (config => { const s = new FakeSocket(config); sockets.push(s); return s }),
    downloadMedia,
    versions: { sidecar: '0.0.0-test', baileys: 'test' },
    backoff,
    limits
  })

  /** Sends a request line as the silo would; resolves with the reply line. */
  const request = (method, params, id = `s${++nextId}`) => new Promise(resolve => {
    waiters.set(id, resolve)
    feed({ id, method, params })
  })

  const waitEvent = (pred, timeoutMs = 3000) => {
    const found = events.find(pred)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const w = { pred, resolve }
      eventWaiters.push(w)
      setTimeout(() => { if (eventWaiters.includes(w)) { eventWaiters.splice(eventWaiters.indexOf(w), 1); reject(new Error('no such event within ' + timeoutMs + ' ms')) } }, timeoutMs)
    })
  }

  /** hello + session.start; returns the socket the session opened. */
  const started = async (sessionKey = 't1/s1', params = {}) => {
    if (!sidecar.ready) await request('hello', { protocol: 1 })
    const before = sockets.length
    const reply = await request('session.start', { sessionKey, ...params })
    if (!reply.ok) throw new Error(JSON.stringify(reply.error))
    return sockets[before]
  }

  const shutdown = () => sidecar.shutdown()

  return { sidecar, sockets, events, siloRequests, handlers, creds, keys, messages, request, feed, waitEvent, started, shutdown }
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
