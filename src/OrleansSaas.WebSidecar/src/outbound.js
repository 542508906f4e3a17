// message.send's `content` (PROTOCOL.md) → Baileys' AnyMessageContent and send options.
import { proto } from 'baileys'
import { ProtocolError } from './protocol.js'

const invalid = (field, message) => new ProtocolError('invalid_params', message, { field })

/** Digits (with country code) become a user JID; JIDs pass through. */
export function toJid (to, field = 'to') {
  if (typeof to !== 'string' || to.trim() === '') throw invalid(field, `${field} must be a phone number or a JID`)
  const t = to.trim()
  if (t.includes('@')) {
    if (!/^[^@\s]+@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)$/.test(t)) throw invalid(field, `${field} is not a WhatsApp JID`)
    return t
  }
  const digits = t.replace(/^\+/, '')
  if (!/^[0-9]{6,15}$/.test(digits)) throw invalid(field, `${field} must be 6–15 digits with country code, or a JID`)
  return digits + '@s.whatsapp.net'
}

const str = (v, field, { required = false } = {}) => {
  if (v === undefined || v === null) {
    if (required) throw invalid(field, `${field} is required`)
    return undefined
  }
  if (typeof v !== 'string') throw invalid(field, `${field} must be a string`)
  return v
}

function media (m, field) {
  if (m === null || typeof m !== 'object') throw invalid(field, `${field} must be {data: base64} or {url}`)
  if (typeof m.data === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(m.data) || m.data.length === 0) throw invalid(field + '.data', `${field}.data must be non-empty base64`)
    return Buffer.from(m.data, 'base64')
  }
  if (typeof m.url === 'string' && /^https?:\/\//.test(m.url)) return { url: m.url }
  throw invalid(field, `${field} must be {data: base64} or {url: http(s) URL}`)
}

function mentions (list) {
  if (list === undefined) return undefined
  if (!Array.isArray(list)) throw invalid('content.mentions', 'content.mentions must be an array')
  return list.map((m, i) => toJid(m, `content.mentions[${i}]`))
}

function targetKey (t, field, chatJid) {
  if (t === null || typeof t !== 'object') throw invalid(field, `${field} must be an object with networkMessageId`)
  return {
    remoteJid: chatJid,
    id: str(t.networkMessageId, field + '.networkMessageId', { required: true }),
    fromMe: Boolean(t.fromMe),
    ...(t.participant ? { participant: toJid(t.participant, field + '.participant') } : {})
  }
}

const escapeVcard = s => String(s).replace(/[\\,;]/g, m => '\\' + m).replace(/\n/g, '\\n')

function contact (c, i) {
  const field = `content.contacts[${i}]`
  if (c === null || typeof c !== 'object') throw invalid(field, `${field} must be an object`)
  if (typeof c.vcard === 'string') return { displayName: str(c.name, field + '.name'), vcard: c.vcard }
  const name = str(c.name, field + '.name', { required: true })
  if (!Array.isArray(c.phones) || c.phones.length === 0) throw invalid(field + '.phones', `${field}.phones must be a non-empty array`)
  const tels = c.phones.map((p, j) => {
    const digits = toJid(p, `${field}.phones[${j}]`).split('@')[0]
    return `TEL;type=CELL;waid=${digits}:+${digits}`
  })
  return { displayName: name, vcard: ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeVcard(name)}`, ...tels, 'END:VCARD'].join('\n') }
}

export const SUPPORTED_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction']

/**
 * @returns {{jid: string, content: object, options: object}}
 * `decodeRaw(raw)` turns a stored raw message (PROTOCOL.md) back into a WAMessage for quoting.
 */
export function buildOutbound (params, decodeRaw) {
  const jid = toJid(params.to)
  const c = params.content
  if (c === null || typeof c !== 'object') throw invalid('content', 'content must be an object')
  const options = {}
  if (c.replyTo !== undefined) {
    const key = targetKey(c.replyTo, 'content.replyTo', jid)
    options.quoted = typeof c.replyTo.raw === 'string'
      ? decodeRaw(c.replyTo.raw)
      : { key, message: proto.Message.fromObject({ conversation: str(c.replyTo.text, 'content.replyTo.text') ?? '' }) }
  }
  let content
  switch (c.type) {
    case 'text':
      content = { text: str(c.text, 'content.text', { required: true }) }
      if (content.text === '') throw invalid('content.text', 'content.text must not be empty')
      break
    case 'image':
      content = { image: media(c.media, 'content.media'), caption: str(c.caption, 'content.caption'), mimetype: str(c.mimetype, 'content.mimetype') }
      break
    case 'video':
      content = { video: media(c.media, 'content.media'), caption: str(c.caption, 'content.caption'), mimetype: str(c.mimetype, 'content.mimetype'), gifPlayback: c.gif === true || undefined }
      break
    case 'audio':
      content = { audio: media(c.media, 'content.media'), ptt: c.voice === true, mimetype: str(c.mimetype, 'content.mimetype') ?? (c.voice === true ? 'audio/ogg; codecs=opus' : 'audio/mp4') }
      if (c.seconds !== undefined) content.seconds = c.seconds
      break
    case 'document':
      content = { document: media(c.media, 'content.media'), mimetype: str(c.mimetype, 'content.mimetype', { required: true }), fileName: str(c.fileName, 'content.fileName'), caption: str(c.caption, 'content.caption') }
      break
    case 'sticker':
      content = { sticker: media(c.media, 'content.media'), isAnimated: c.animated === true || undefined }
      break
    case 'location': {
      const { latitude, longitude } = c
      if (typeof latitude !== 'number' || latitude < -90 || latitude > 90) throw invalid('content.latitude', 'content.latitude must be a number in [-90, 90]')
      if (typeof longitude !== 'number' || longitude < -180 || longitude > 180) throw invalid('content.longitude', 'content.longitude must be a number in [-180, 180]')
      content = { location: dropUndefined({ degreesLatitude: latitude, degreesLongitude: longitude, name: str(c.name, 'content.name'), address: str(c.address, 'content.address') }) }
      break
    }
    case 'contacts': {
      if (!Array.isArray(c.contacts) || c.contacts.length === 0) throw invalid('content.contacts', 'content.contacts must be a non-empty array')
      const contacts = c.contacts.map(contact)
      content = { contacts: { displayName: str(c.displayName, 'content.displayName') ?? contacts[0].displayName, contacts } }
      break
    }
    case 'reaction':
      if (typeof c.emoji !== 'string') throw invalid('content.emoji', 'content.emoji must be a string ("" removes the reaction)')
      content = { react: { text: c.emoji, key: targetKey(c.target, 'content.target', jid) } }
      break
    default:
      throw new ProtocolError('unsupported_type', `content.type must be one of ${SUPPORTED_TYPES.join(', ')}`, { field: 'content.type' })
  }
  const m = mentions(c.mentions)
  if (m) {
    if (!['text', 'image', 'video'].includes(c.type)) throw invalid('content.mentions', 'mentions work with text, image and video only')
    content.mentions = m
  }
  return { jid, content: dropUndefined(content), options }
}

function dropUndefined (o) {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}
