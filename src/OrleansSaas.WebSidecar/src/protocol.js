// JSON lines peer: one JSON object per line in each direction (PROTOCOL.md).
// Requests carry an id and get exactly one reply with the same id; events carry no id.
import { StringDecoder } from 'node:string_decoder'

export const PROTOCOL_VERSION = 1

export class ProtocolError extends Error {
  constructor (code, message, extra = {}) {
    super(message)
    this.code = code
    Object.assign(this, extra)
  }
}

const RETRYABLE = new Set(['busy', 'timeout', 'silo_unavailable', 'not_connected'])

export function toWireError (err) {
  const code = err instanceof ProtocolError ? err.code : 'internal'
  const error = { code, message: err instanceof ProtocolError ? err.message : 'internal error: ' + (err?.message ?? String(err)) }
  if (err?.field) error.field = err.field
  if (RETRYABLE.has(code)) error.retryable = true
  return error
}

export class Peer {
  /**
   * @param {object} o
   * @param {(line: string) => void} o.write   writes one line (without the newline)
   * @param {(method: string, params: object) => Promise<object>} o.onRequest
   * @param {number} [o.maxIncoming]  requests from the silo handled at once; more are refused with `busy`
   * @param {number} [o.maxOutgoing]  requests to the silo in flight at once; more wait in a queue
   * @param {number} [o.maxQueued]    requests waiting for an outgoing slot; more fail with `busy`
   * @param {number} [o.requestTimeoutMs] how long a request to the silo may wait for its reply
   * @param {number} [o.maxLineBytes]
   */
  constructor ({ write, onRequest, log = () => {}, maxIncoming = 64, maxOutgoing = 32, maxQueued = 1024, requestTimeoutMs = 30000, maxLineBytes = 64 * 1024 * 1024 }) {
    this.write = write
    this.onRequest = onRequest
    this.log = log
    this.maxIncoming = maxIncoming
    this.maxOutgoing = maxOutgoing
    this.maxQueued = maxQueued
    this.requestTimeoutMs = requestTimeoutMs
    this.maxLineBytes = maxLineBytes
    this.incoming = 0
    this.nextId = 1
    this.pending = new Map() // id → {resolve, reject, timer}
    this.queue = [] // outgoing requests waiting for a slot
    this.buffer = ''
    this.decoder = new StringDecoder('utf8')
    this.closed = false
  }

  /** Feeds raw bytes or text from the input stream. */
  feed (chunk) {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk)
    let nl
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl)
      this.buffer = this.buffer.slice(nl + 1)
      if (line.trim() !== '') this.handleLine(line)
    }
    if (this.buffer.length > this.maxLineBytes) {
      this.buffer = ''
      this.emit('error', { code: 'line_too_long', message: `a line exceeded ${this.maxLineBytes} bytes and was dropped` })
    }
  }

  handleLine (line) {
    let msg
    try { msg = JSON.parse(line) } catch {
      this.emit('error', { code: 'invalid_json', message: 'a line was not valid JSON and was dropped' })
      return
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.emit('error', { code: 'invalid_request', message: 'a line was not a JSON object' })
      return
    }
    if ('ok' in msg) return this.handleReply(msg)
    const hasId = typeof msg.id === 'string' || Number.isInteger(msg.id)
    if (!hasId || typeof msg.method !== 'string') {
      if (hasId) this.send({ id: msg.id, ok: false, error: { code: 'invalid_request', message: 'a request needs "id" (string or integer) and "method" (string)' } })
      else this.emit('error', { code: 'invalid_request', message: 'a request without a valid "id" was dropped' })
      return
    }
    if (this.incoming >= this.maxIncoming) {
      this.send({ id: msg.id, ok: false, error: toWireError(new ProtocolError('busy', `more than ${this.maxIncoming} requests in flight; retry after a reply`)) })
      return
    }
    const params = msg.params ?? {}
    if (typeof params !== 'object' || Array.isArray(params)) {
      this.send({ id: msg.id, ok: false, error: { code: 'invalid_params', message: '"params" must be an object', field: 'params' } })
      return
    }
    this.incoming++
    Promise.resolve()
      .then(() => this.onRequest(msg.method, params))
      .then(result => this.send({ id: msg.id, ok: true, result: result ?? {} }),
        err => {
          if (!(err instanceof ProtocolError)) this.log('error', `request ${msg.method} failed: ${err?.stack ?? err}`)
          this.send({ id: msg.id, ok: false, error: toWireError(err) })
        })
      .finally(() => { this.incoming-- })
  }

  handleReply (msg) {
    const p = this.pending.get(msg.id)
    if (!p) { this.log('warn', `reply for unknown request id ${msg.id}`); return }
    this.pending.delete(msg.id)
    clearTimeout(p.timer)
    if (msg.ok === true) p.resolve(msg.result ?? {})
    else {
      const e = msg.error ?? {}
      p.reject(new ProtocolError(typeof e.code === 'string' ? e.code : 'silo_error', typeof e.message === 'string' ? e.message : 'the silo refused the request'))
    }
    this.pump()
  }

  /** Sends a request to the silo; resolves with its result or rejects with a ProtocolError. */
  request (method, params) {
    if (this.closed) return Promise.reject(new ProtocolError('silo_unavailable', 'the silo connection is closed'))
    return new Promise((resolve, reject) => {
      if (this.pending.size >= this.maxOutgoing) {
        if (this.queue.length >= this.maxQueued) {
          reject(new ProtocolError('busy', `more than ${this.maxQueued} requests to the silo are waiting`))
          return
        }
        this.queue.push({ method, params, resolve, reject })
        return
      }
      this.dispatch({ method, params, resolve, reject })
    })
  }

  dispatch ({ method, params, resolve, reject }) {
    const id = this.nextId++
    const timer = setTimeout(() => {
      this.pending.delete(id)
      reject(new ProtocolError('timeout', `the silo did not answer ${method} within ${this.requestTimeoutMs} ms`))
      this.pump()
    }, this.requestTimeoutMs)
    this.pending.set(id, { resolve, reject, timer })
    this.send({ id, method, params })
  }

  pump () {
    while (this.queue.length > 0 && this.pending.size < this.maxOutgoing) this.dispatch(this.queue.shift())
  }

  get outgoingInFlight () { return this.pending.size }

  emit (event, params) { this.send({ event, params }) }

  send (obj) { if (!this.closed) this.write(JSON.stringify(obj)) }

  /** The input ended: fail everything still waiting for the silo. */
  close () {
    this.closed = true
    const err = new ProtocolError('silo_unavailable', 'the silo connection closed')
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err) }
    this.pending.clear()
    for (const q of this.queue.splice(0)) q.reject(err)
  }
}
