// One WhatsApp web session: its Baileys socket, reconnects, and the events it reports to the silo.
import { SiloAuthStore } from './auth-store.js'
import { classifyClose, backoffDelay } from './lifecycle.js'
import { buildOutbound, toJid } from './outbound.js'
import { toInbound, encodeRaw, decodeRaw, statusFromUpdate, statusFromReceipt, RANK } from './inbound.js'
import { ProtocolError } from './protocol.js'

const MAX_SILENT_RESTARTS = 3 // 515s in a row without an open; more are treated like a network close
const STOP_CLOSE_TIMEOUT_MS = 5000
const QR_WAIT_MS = 30000

const remember = (map, key, value, max = 2000) => {
  map.delete(key); map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value)
}

export class Session {
  /**
   * @param {object} o
   * @param {string} o.sessionKey
   * @param {string} [o.phoneNumber] request a pairing code as soon as the first QR arrives
   * @param {(config: object) => object} o.makeSocket  Baileys' makeWASocket or a test double
   * @param {(method: string, params: object) => Promise<object>} o.request  a request to the silo
   * @param {(event: string, params: object) => void} o.emit  an event to the silo
   * @param {object} o.backoff  lifecycle.js DEFAULT_BACKOFF's shape
   * @param {(msg, type, opts, ctx) => Promise<Buffer>} o.downloadMedia Baileys' downloadMediaMessage
   * @param {(session: Session, closed: Promise) => void} o.onEnded  the session stopped for good (not reconnecting);
   *   `closed` settles when its last auth requests were answered
   */
  constructor ({ sessionKey, phoneNumber, makeSocket, request, emit, backoff, downloadMedia, baileysLogger, log, onEnded, socketOptions = {} }) {
    Object.assign(this, { sessionKey, phoneNumber, makeSocket, request, emit, backoff, downloadMedia, baileysLogger, log, onEnded, socketOptions })
    this.store = new SiloAuthStore({ sessionKey, request })
    this.sock = null
    this.connected = false
    this.attempts = 0
    this.restarts = 0
    this.reconnectTimer = null
    this.stopping = false
    this.closeWaiters = []
    this.qrWaiters = []
    this.sends = new Map() // silo messageId → promise of the send result (idempotent retries)
    this.sentIds = new Map() // networkMessageId → silo messageId
    this.receipts = new Map() // networkMessageId → highest rank reported
  }

  async start () {
    const { resumed } = await this.store.loadCreds()
    this.open()
    return { resumed }
  }

  open () {
    this.reconnectTimer = null
    if (this.stopping) return
    this.qrSeen = false
    this.pairingRequested = false
    let sock
    try {
      sock = this.makeSocket({
        auth: { creds: this.store.creds, keys: this.store.keys },
        logger: this.baileysLogger,
        printQRInTerminal: false,
        markOnlineOnConnect: false,
        getMessage: key => this.getMessage(key),
        ...this.socketOptions
      })
    } catch (err) {
      this.log('error', `${this.sessionKey}: could not create the socket: ${err?.message}`)
      this.onClose(undefined, err)
      return
    }
    this.sock = sock
    sock.ev.on('connection.update', u => { if (this.sock === sock) this.onConnection(sock, u) })
    sock.ev.on('creds.update', update => {
      Object.assign(this.store.creds, update)
      this.store.saveCreds().catch(err => { if (err.code !== 'session_stopped') this.reportError('creds_save_failed', err) })
    })
    sock.ev.on('messages.upsert', ({ messages, type }) => { if (this.sock === sock && type === 'notify') this.onUpsert(messages) })
    sock.ev.on('messages.update', updates => { if (this.sock === sock) this.onMessagesUpdate(updates) })
    sock.ev.on('message-receipt.update', updates => { if (this.sock === sock) this.onReceiptUpdate(updates) })
  }

  onConnection (sock, u) {
    if (u.qr) {
      this.qrSeen = true
      this.emit('qr', { sessionKey: this.sessionKey, qr: u.qr })
      for (const w of this.qrWaiters.splice(0)) w()
      if (this.phoneNumber && !this.pairingRequested) {
        this.requestPairingCode(this.phoneNumber)
          .then(code => this.emit('pairing.code', { sessionKey: this.sessionKey, code }))
          .catch(err => this.reportError('pairing_code_failed', err))
      }
    }
    if (u.connection === 'open') {
      this.connected = true
      this.attempts = 0
      this.restarts = 0
      const id = sock.user?.id ?? ''
      this.emit('connection', clean({
        sessionKey: this.sessionKey,
        state: 'connected',
        phoneNumber: id.split('@')[0].split(':')[0] || undefined,
        pushName: sock.user?.name || this.store.creds?.me?.name || undefined
      }))
    }
    if (u.connection === 'close') this.onClose(sock, u.lastDisconnect?.error)
  }

  onClose (sock, error) {
    this.sock = null
    this.connected = false
    if (this.stopping) {
      for (const w of this.closeWaiters.splice(0)) w()
      return
    }
    let outcome = classifyClose(error, { pairing: this.qrSeen && !this.store.creds?.registered })
    if (outcome.action === 'restart') {
      if (++this.restarts <= MAX_SILENT_RESTARTS) {
        setImmediate(() => this.open())
        return
      }
      outcome = { ...outcome, action: 'reconnect', state: 'disconnected' }
    }
    const event = { sessionKey: this.sessionKey, state: outcome.state, reason: outcome.reason, code: outcome.code }
    if (outcome.action === 'reconnect') {
      const delay = backoffDelay(this.attempts++, this.backoff)
      event.reconnectInMs = delay
      this.reconnectTimer = setTimeout(() => this.open(), delay)
      this.emit('connection', clean(event))
      return
    }
    this.emit('connection', clean(event))
    this.stopping = true
    this.onEnded(this, this.store.close())
  }

  onUpsert (messages) {
    for (const msg of messages ?? []) {
      let inbound
      try { inbound = toInbound(this.sessionKey, msg) } catch (err) { this.reportError('inbound_unreadable', err); continue }
      if (inbound) this.emit('message.inbound', inbound)
    }
  }

  onMessagesUpdate (updates) {
    for (const { key, update } of updates ?? []) {
      if (!key?.fromMe || update?.status === undefined || update?.status === null) continue
      const status = statusFromUpdate(update.status)
      if (status === 'failed') {
        this.emit('error', clean({ sessionKey: this.sessionKey, code: 'send_failed', message: 'WhatsApp reported the message as failed', networkMessageId: key.id, messageId: this.sentIds.get(key.id) }))
      } else if (status) this.reportReceipt(key, status)
    }
  }

  onReceiptUpdate (updates) {
    for (const { key, receipt } of updates ?? []) {
      if (!key?.fromMe) continue
      const status = statusFromReceipt(receipt)
      if (status) this.reportReceipt(key, status, receipt.userJid)
    }
  }

  /** Only forward moves: a receipt at or below what this session already reported is dropped. */
  reportReceipt (key, status, recipient) {
    const rank = RANK[status]
    if ((this.receipts.get(key.id) ?? 0) >= rank) return
    remember(this.receipts, key.id, rank)
    this.emit('receipt', clean({ sessionKey: this.sessionKey, networkMessageId: key.id, messageId: this.sentIds.get(key.id), chat: key.remoteJid, status, recipient }))
  }

  reportError (code, err) {
    this.log('warn', `${this.sessionKey}: ${code}: ${err?.message ?? err}`)
    this.emit('error', { sessionKey: this.sessionKey, code, message: err?.message ?? String(err) })
  }

  async getMessage (key) {
    try {
      const { raw } = await this.store.call('message.get', { sessionKey: this.sessionKey, key: clean({ remoteJid: key.remoteJid, id: key.id, fromMe: Boolean(key.fromMe), participant: key.participant || undefined }) })
      return typeof raw === 'string' ? decodeRaw(raw).message ?? undefined : undefined
    } catch (err) {
      this.log('warn', `${this.sessionKey}: message.get failed: ${err?.message}`)
      return undefined
    }
  }

  requireOpen () {
    if (!this.sock || !this.connected) throw new ProtocolError('not_connected', `session ${this.sessionKey} is not connected`)
    return this.sock
  }

  async requestPairingCode (phoneNumber) {
    const digits = String(phoneNumber).replace(/^\+/, '')
    if (!/^[0-9]{6,15}$/.test(digits)) throw new ProtocolError('invalid_params', 'phoneNumber must be 6–15 digits with country code', { field: 'phoneNumber' })
    if (this.store.creds?.registered) throw new ProtocolError('already_paired', `session ${this.sessionKey} is already paired`)
    if (!this.qrSeen) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new ProtocolError('not_ready', 'no QR code within 30 s; the socket is not ready for pairing')), QR_WAIT_MS)
        this.qrWaiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
    if (!this.sock) throw new ProtocolError('not_ready', 'the socket closed before pairing')
    this.pairingRequested = true
    const code = await this.sock.requestPairingCode(digits)
    return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code
  }

  send ({ messageId, to, content }) {
    if (typeof messageId !== 'string' || messageId === '') throw new ProtocolError('invalid_params', 'messageId must be a non-empty string', { field: 'messageId' })
    const { jid, content: c, options } = buildOutbound({ to, content }, decodeRaw)
    if (this.sends.has(messageId)) return this.sends.get(messageId)
    const sock = this.requireOpen()
    const p = Promise.resolve(sock.sendMessage(jid, c, options)).then(sent => {
      if (!sent?.key?.id) throw new ProtocolError('send_failed', 'Baileys returned no message')
      remember(this.sentIds, sent.key.id, messageId)
      return { networkMessageId: sent.key.id, timestamp: Number(sent.messageTimestamp ?? Math.floor(Date.now() / 1000)), raw: encodeRaw(sent) }
    }, err => { throw err instanceof ProtocolError ? err : new ProtocolError('send_failed', err?.message ?? 'send failed') })
    remember(this.sends, messageId, p, 500)
    p.catch(() => this.sends.delete(messageId))
    return p
  }

  async read ({ messages }) {
    if (!Array.isArray(messages) || messages.length === 0) throw new ProtocolError('invalid_params', 'messages must be a non-empty array', { field: 'messages' })
    const keys = messages.map((m, i) => {
      if (!m || typeof m.networkMessageId !== 'string') throw new ProtocolError('invalid_params', `messages[${i}].networkMessageId is required`, { field: `messages[${i}].networkMessageId` })
      return clean({ remoteJid: toJid(m.chat, `messages[${i}].chat`), id: m.networkMessageId, fromMe: false, participant: m.participant ? toJid(m.participant, `messages[${i}].participant`) : undefined })
    })
    await this.requireOpen().readMessages(keys)
    return {}
  }

  async typing ({ to, state }) {
    const jid = toJid(to)
    if (!['composing', 'paused', 'recording'].includes(state)) throw new ProtocolError('invalid_params', 'state must be composing, paused or recording', { field: 'state' })
    await this.requireOpen().sendPresenceUpdate(state, jid)
    return {}
  }

  async download ({ raw }) {
    if (typeof raw !== 'string') throw new ProtocolError('invalid_params', 'raw must be the message\'s raw string from message.inbound', { field: 'raw' })
    let msg
    try { msg = decodeRaw(raw) } catch { throw new ProtocolError('invalid_params', 'raw is not a stored message', { field: 'raw' }) }
    const sock = this.sock
    let data
    try {
      data = await this.downloadMedia(msg, 'buffer', {}, { logger: this.baileysLogger, reuploadRequest: m => (sock ? sock.updateMediaMessage(m) : Promise.reject(new Error('not connected'))) })
    } catch (err) {
      throw new ProtocolError('download_failed', err?.message ?? 'download failed')
    }
    const inbound = toInbound(this.sessionKey, msg)
    return clean({ data: Buffer.from(data).toString('base64'), mimetype: inbound?.content?.mimetype, fileLength: data.length })
  }

  /** Closes the socket (no reconnect) and resolves when it is closed and every auth request of it is answered. */
  async stop () {
    this.stopping = true
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    const sock = this.sock
    if (sock) {
      const closed = new Promise(resolve => {
        const timer = setTimeout(resolve, STOP_CLOSE_TIMEOUT_MS)
        this.closeWaiters.push(() => { clearTimeout(timer); resolve() })
      })
      try { await sock.end(undefined) } catch (err) { this.log('warn', `${this.sessionKey}: end failed: ${err?.message}`) }
      await closed
      this.sock = null
    }
    this.connected = false
    await this.store.close()
    return { closed: true }
  }

  async logout () {
    let loggedOut = false
    this.stopping = true // the close that logout causes is ours, not a 401 to report
    if (this.sock && this.connected) {
      try { await this.sock.logout(); loggedOut = true } catch (err) { this.log('warn', `${this.sessionKey}: logout failed: ${err?.message}`) }
    }
    await this.stop()
    return { loggedOut }
  }
}

function clean (o) {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}
