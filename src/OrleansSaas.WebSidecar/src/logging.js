// stderr logging. Only short texts go out: never creds, keys, message texts or Baileys' objects.
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 }

export function makeLog (level = 'info', out = process.stderr) {
  const min = LEVELS[level] ?? LEVELS.info
  return (lvl, text) => {
    if ((LEVELS[lvl] ?? LEVELS.info) >= min) out.write(`${new Date().toISOString()} ${lvl} ${text}\n`)
  }
}

/** Baileys' ILogger. Its objects can hold keys or message content, so only the text and an error's message are kept. */
export function makeBaileysLogger (log, level = 'warn') {
  const min = LEVELS[level] ?? LEVELS.warn
  const at = lvl => (obj, msg) => {
    if (LEVELS[lvl] < min) return
    const text = typeof obj === 'string' ? obj : msg
    const err = obj?.err?.message ?? obj?.error?.message
    log(lvl === 'fatal' ? 'error' : lvl, `baileys: ${text ?? ''}${err ? ` (${err})` : ''}`)
  }
  const logger = { level, child: () => logger, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') }
  return logger
}
