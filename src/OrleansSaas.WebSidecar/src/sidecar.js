// The sidecar: answers the silo's requests (PROTOCOL.md) and holds one Session per sessionKey.
import { Peer, ProtocolError, PROTOCOL_VERSION } from './protocol.js'
import { Session } from './session.js'
import { DEFAULT_BACKOFF, validateBackoff } from './lifecycle.js'

const SESSION_METHODS = {
  'session.stop': (s) => s.stop(),
  'session.logout': (s) => s.logout(),
  'pairing.code': async (s, p) => ({ code: await s.requestPairingCode(p.phoneNumber) }),
  'message.send': (s, p) => s.send(p),
  'message.read': (s, p) => s.read(p),
  'presence.typing': (s, p) => s.typing(p),
  'media.download': (s, p) => s.download(p)
}

export class Sidecar {
  /**
   * @param {object} o
   * @param {(line: string) => void} o.write  one protocol line to the silo
   * @param {(config: object) => object} o.makeSocket  Baileys' makeWASocket, or a test double
   * @param {object} o.versions  {sidecar, baileys} reported by hello
   */
  constructor ({ write, makeSocket, downloadMedia, versions, log = () => {}, baileysLogger, backoff = DEFAULT_BACKOFF, limits = {}, socketOptions }) {
    this.makeSocket = makeSocket
    this.downloadMedia = downloadMedia
    this.versions = versions
    this.log = log
    this.baileysLogger = baileysLogger
    this.backoff = { ...backoff }
    this.socketOptions = socketOptions
    this.sessions = new Map()
    this.starting = new Map() // sessionKey → promise of session.start
    this.ending = new Map() // sessionKey → promise: a session that closed for good is still finishing its requests
    this.ready = false
    this.startedAt = Date.now()
    this.peer = new Peer({ write, log, onRequest: (m, p) => this.handle(m, p), ...limits })
  }

  feed (chunk) { this.peer.feed(chunk) }

  async handle (method, params) {
    if (method === 'hello') return this.hello(params)
    if (!this.ready) throw new ProtocolError('handshake_required', 'send hello first')
    if (method === 'ping') return { uptimeMs: Date.now() - this.startedAt, sessions: this.sessions.size, inFlightToSilo: this.peer.outgoingInFlight, rssBytes: process.memoryUsage().rss }
    if (method === 'session.start') return this.startSession(params)
    const op = SESSION_METHODS[method]
    if (!op) throw new ProtocolError('unknown_method', `unknown method ${method}`)
    const key = sessionKeyOf(params)
    await this.starting.get(key)?.catch(() => {})
    const session = this.sessions.get(key)
    if (!session) {
      await this.ending.get(key) // closed by itself: confirm only once its last requests were answered
      if (method === 'session.stop') return { closed: true } // nothing open: already closed
      if (method === 'session.logout') return { loggedOut: false }
      throw new ProtocolError('session_not_found', `session ${key} is not started on this sidecar`)
    }
    const result = await op(session, params)
    if (method === 'session.stop' || method === 'session.logout') this.sessions.delete(key)
    return result
  }

  hello (params) {
    const wanted = params.protocol
    if (wanted !== PROTOCOL_VERSION) throw new ProtocolError('unsupported_protocol', `this sidecar speaks protocol ${PROTOCOL_VERSION}; asked for ${JSON.stringify(wanted)}`)
    if (params.reconnect !== undefined) {
      const bad = validateBackoff(params.reconnect)
      if (bad) throw new ProtocolError('invalid_params', `reconnect.${bad} is out of range`, { field: `reconnect.${bad}` })
      this.backoff = { ...DEFAULT_BACKOFF, ...params.reconnect }
    }
    if (params.maxInFlight !== undefined) {
      if (!Number.isInteger(params.maxInFlight) || params.maxInFlight < 1) throw new ProtocolError('invalid_params', 'maxInFlight must be a positive integer', { field: 'maxInFlight' })
      this.peer.maxOutgoing = Math.min(this.peer.maxOutgoing, params.maxInFlight)
    }
    this.ready = true
    return {
      protocol: PROTOCOL_VERSION,
      sidecar: this.versions.sidecar,
      baileys: this.versions.baileys,
      node: process.version,
      limits: { maxInFlight: this.peer.maxIncoming, maxInFlightToSilo: this.peer.maxOutgoing, maxLineBytes: this.peer.maxLineBytes, requestTimeoutMs: this.peer.requestTimeoutMs },
      reconnect: this.backoff
    }
  }

  async startSession (params) {
    const sessionKey = sessionKeyOf(params)
    if (params.phoneNumber !== undefined && (typeof params.phoneNumber !== 'string' || !/^\+?[0-9]{6,15}$/.test(params.phoneNumber))) {
      throw new ProtocolError('invalid_params', 'phoneNumber must be 6–15 digits with country code', { field: 'phoneNumber' })
    }
    if (this.starting.has(sessionKey)) return this.starting.get(sessionKey).then(r => ({ ...r, alreadyStarted: true }))
    if (this.sessions.has(sessionKey)) return { alreadyStarted: true, resumed: Boolean(this.sessions.get(sessionKey).store.creds?.registered) }
    const session = new Session({
      sessionKey,
      phoneNumber: params.phoneNumber?.replace(/^\+/, ''),
      makeSocket: this.makeSocket,
      downloadMedia: this.downloadMedia,
      request: (m, p) => this.peer.request(m, p),
      emit: (e, p) => this.peer.emit(e, p),
      backoff: this.backoff,
      baileysLogger: this.baileysLogger,
      log: this.log,
      socketOptions: this.socketOptions,
      onEnded: (s, closed) => {
        if (this.sessions.get(sessionKey) === s) this.sessions.delete(sessionKey)
        this.ending.set(sessionKey, closed)
        closed.finally(() => { if (this.ending.get(sessionKey) === closed) this.ending.delete(sessionKey) })
      }
    })
    // A session that just ended by itself (401, 440, …) may still have key writes in flight: let them land first.
    const p = Promise.resolve(this.ending.get(sessionKey)).then(() => session.start()).then(r => {
      this.sessions.set(sessionKey, session)
      return { alreadyStarted: false, ...r }
    })
    this.starting.set(sessionKey, p)
    try { return await p } finally { this.starting.delete(sessionKey) }
  }

  /**
   * Closes every socket (no logout) and stops. When the silo is gone nobody will answer the
   * sessions' last requests, so they fail at once instead of waiting for their timeout.
   */
  async shutdown ({ siloGone = false } = {}) {
    if (siloGone) this.peer.close()
    await Promise.allSettled([...this.sessions.values()].map(s => s.stop()))
    this.sessions.clear()
    this.peer.close()
  }
}

function sessionKeyOf (params) {
  const k = params.sessionKey
  if (typeof k !== 'string' || k === '' || k.length > 256) throw new ProtocolError('invalid_params', 'sessionKey must be a non-empty string of at most 256 characters', { field: 'sessionKey' })
  return k
}
