// Baileys' auth state kept on the silo: creds and Signal keys travel over the protocol as
// BufferJSON-encoded strings that the silo stores as opaque (encrypted) values.
import { BufferJSON, initAuthCreds, proto } from 'baileys'
import { ProtocolError } from './protocol.js'

export const encodeValue = value => JSON.stringify(value, BufferJSON.replacer)

export function decodeValue (type, text) {
  const value = JSON.parse(text, BufferJSON.reviver)
  return type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value) : value
}

/** A bounded map that forgets the least recently used entry. */
class Lru {
  constructor (max) { this.max = max; this.map = new Map() }
  has (k) { return this.map.has(k) }
  get (k) {
    const v = this.map.get(k)
    this.map.delete(k); this.map.set(k, v)
    return v
  }

  set (k, v) {
    this.map.delete(k); this.map.set(k, v)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value)
  }
}

/**
 * The SignalKeyStore and creds of one session.
 * `request(method, params)` sends a request to the silo (the protocol peer).
 */
export class SiloAuthStore {
  constructor ({ sessionKey, request, cacheSize = 2000 }) {
    this.sessionKey = sessionKey
    this.request = request
    this.cache = new Lru(cacheSize) // `${type}\u0000${id}` → value, or null for "known absent"
    this.inFlight = new Set()
    this.closed = false
    this.creds = undefined
    this.keys = { get: (type, ids) => this.get(type, ids), set: data => this.set(data) }
  }

  /** Reads the stored creds; a session without any starts with fresh ones (saved at once). */
  async loadCreds () {
    const { creds } = await this.call('auth.load', { sessionKey: this.sessionKey, creds: true, keys: {} })
    if (typeof creds === 'string') {
      this.creds = JSON.parse(creds, BufferJSON.reviver)
      return { creds: this.creds, resumed: Boolean(this.creds.registered) }
    }
    this.creds = initAuthCreds()
    await this.saveCreds()
    return { creds: this.creds, resumed: false }
  }

  saveCreds () {
    return this.call('creds.save', { sessionKey: this.sessionKey, creds: encodeValue(this.creds) })
  }

  async get (type, ids) {
    const out = {}
    const missing = []
    for (const id of ids) {
      const k = type + '\u0000' + id
      if (this.cache.has(k)) {
        const v = this.cache.get(k)
        if (v !== null) out[id] = v
      } else missing.push(id)
    }
    if (missing.length > 0) {
      const { keys } = await this.call('auth.load', { sessionKey: this.sessionKey, creds: false, keys: { [type]: missing } })
      const found = keys?.[type] ?? {}
      for (const id of missing) {
        const text = found[id]
        const value = typeof text === 'string' ? decodeValue(type, text) : null
        this.cache.set(type + '\u0000' + id, value)
        if (value !== null) out[id] = value
      }
    }
    return out
  }

  /** One Baileys batch = one auth.set = one transaction on the silo; the cache follows only after it committed. */
  async set (data) {
    const wire = {}
    let count = 0
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) {
        (wire[type] ??= {})[id] = value === null || value === undefined ? null : encodeValue(value)
        count++
      }
    }
    if (count === 0) return
    await this.call('auth.set', { sessionKey: this.sessionKey, data: wire })
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) this.cache.set(type + '\u0000' + id, value ?? null)
    }
  }

  /** Sends a request unless the session was stopped; tracks it so stop can wait for it. */
  call (method, params) {
    if (this.closed) return Promise.reject(new ProtocolError('session_stopped', `session stopped; ${method} not sent`))
    const p = this.request(method, params)
    this.inFlight.add(p)
    const done = () => this.inFlight.delete(p)
    p.then(done, done)
    return p
  }

  /** No request leaves after this; resolves when every request already sent has been answered. */
  async close () {
    this.closed = true
    await Promise.allSettled([...this.inFlight])
  }
}
