// What a socket close means for the session (issue 10's lifecycle mapping) and how long to wait.

/** @typedef {{action: 'restart'|'reconnect'|'stop', state?: 'disconnected'|'logged_out', reason: string}} CloseOutcome */

const OUTCOMES = {
  515: { action: 'restart', reason: 'restart_required' }, // normal right after pairing
  401: { action: 'stop', state: 'logged_out', reason: 'logged_out' },
  403: { action: 'stop', state: 'logged_out', reason: 'forbidden' },
  440: { action: 'stop', state: 'disconnected', reason: 'replaced' }, // another socket opened this number
  408: { action: 'reconnect', state: 'disconnected', reason: 'timed_out' },
  428: { action: 'reconnect', state: 'disconnected', reason: 'connection_closed' },
  503: { action: 'reconnect', state: 'disconnected', reason: 'service_unavailable' },
  500: { action: 'stop', state: 'disconnected', reason: 'bad_session' },
  411: { action: 'stop', state: 'disconnected', reason: 'multidevice_mismatch' }
}

/** The status code Baileys puts on a close: a Boom error's output.statusCode. */
export function closeStatusCode (error) {
  const code = error?.output?.statusCode
  return Number.isInteger(code) ? code : undefined
}

/**
 * @param {unknown} error lastDisconnect.error
 * @param {{pairing: boolean}} ctx pairing: the socket showed a QR code and is not registered yet
 * @returns {CloseOutcome & {code?: number}}
 */
export function classifyClose (error, { pairing = false } = {}) {
  const code = closeStatusCode(error)
  // QR refs ran out with nobody scanning: reconnecting would show QR codes forever, so stop.
  if (code === 408 && pairing) return { action: 'stop', state: 'disconnected', reason: 'pairing_timeout', code }
  const known = OUTCOMES[code]
  if (known) return { ...known, code }
  // No status (a plain socket/DNS error) or one we do not know: treat as a network problem.
  return { action: 'reconnect', state: 'disconnected', reason: code === undefined ? 'network_error' : `closed_${code}`, code }
}

export const DEFAULT_BACKOFF = Object.freeze({ initialMs: 1000, factor: 2, maxMs: 60000, jitter: 0.2 })

/**
 * Delay before reconnect attempt n (0-based): base = min(maxMs, initialMs·factor^n), plus up to
 * jitter·base of random extra. Never less than base, never more than maxMs·(1+jitter).
 */
export function backoffDelay (attempt, options = DEFAULT_BACKOFF, random = Math.random) {
  const { initialMs, factor, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...options }
  const base = Math.min(maxMs, initialMs * Math.pow(factor, attempt))
  return Math.round(base * (1 + jitter * random()))
}

export function validateBackoff (o) {
  const b = { ...DEFAULT_BACKOFF, ...o }
  for (const k of ['initialMs', 'factor', 'maxMs', 'jitter']) {
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k]) || b[k] < 0) return k
  }
  if (b.initialMs < 1 || b.factor < 1 || b.maxMs < b.initialMs || b.jitter > 1) return 'reconnect'
  return null
}
