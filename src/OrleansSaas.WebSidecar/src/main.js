#!/usr/bin/env node
// Entry point the silo starts: protocol on stdin/stdout, logs on stderr (PROTOCOL.md).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import makeWASocket, { downloadMediaMessage } from 'baileys'
import { Sidecar } from './sidecar.js'
import { makeLog, makeBaileysLogger } from './logging.js'

const log = makeLog(process.env.SIDECAR_LOG_LEVEL ?? 'info')
// stdout carries the protocol only: anything printing through console goes to stderr instead.
console.log = console.info = console.debug = (...a) => log('info', a.map(String).join(' '))

const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const baileysPkg = createRequire(import.meta.url).resolve('baileys').replace(/lib[\\/]index\.js$/, 'package.json')
const versions = { sidecar: own.version, baileys: JSON.parse(readFileSync(baileysPkg, 'utf8')).version }

const sidecar = new Sidecar({
  write: line => process.stdout.write(line + '\n'),
  makeSocket: makeWASocket,
  downloadMedia: downloadMediaMessage,
  versions,
  log,
  baileysLogger: makeBaileysLogger(log, process.env.SIDECAR_BAILEYS_LOG_LEVEL ?? 'warn'),
  // Another WhatsApp web socket URL (a proxy; tests point it at a host that cannot resolve).
  socketOptions: process.env.SIDECAR_WA_WEBSOCKET_URL ? { waWebSocketUrl: process.env.SIDECAR_WA_WEBSOCKET_URL } : undefined
})

let stopping = false
async function stop (why, code = 0, siloGone = false) {
  if (stopping) return
  stopping = true
  log('info', `stopping: ${why}`)
  const timer = setTimeout(() => process.exit(code), 10000)
  timer.unref()
  await sidecar.shutdown({ siloGone }).catch(() => {})
  process.exit(code)
}

process.stdin.on('data', chunk => sidecar.feed(chunk))
process.stdin.on('end', () => stop('stdin closed (the silo went away)', 0, true))
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
// Baileys can reject promises nobody awaits; one session's failure must not end the others.
process.on('unhandledRejection', err => log('error', `unhandled rejection: ${err?.message ?? err}`))
process.on('uncaughtException', err => { log('error', `uncaught exception: ${err?.stack ?? err}`); stop('uncaught exception', 70) })
process.stdout.on('error', () => stop('stdout closed', 0, true))
log('info', `sidecar ${versions.sidecar} (baileys ${versions.baileys}, node ${process.version}) ready for hello`)
