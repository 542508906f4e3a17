// Baileys' WAMessage → the protocol's normalised message.inbound params, and receipt mapping.
import { normalizeMessageContent, getContentType, proto } from 'baileys'

/** A WAMessage as a JSON string the silo stores opaquely and may hand back (message.get, media.download, replyTo.raw). */
export const encodeRaw = msg => JSON.stringify(proto.WebMessageInfo.fromObject(msg).toJSON())
export const decodeRaw = raw => proto.WebMessageInfo.fromObject(JSON.parse(raw))

const num = v => (v === null || v === undefined ? undefined : Number(v))
const b64 = v => (v ? Buffer.from(v).toString('base64') : undefined)

function mediaInfo (m, extra = {}) {
  return clean({
    mimetype: m.mimetype ?? undefined,
    fileLength: num(m.fileLength),
    sha256: b64(m.fileSha256),
    caption: m.caption || undefined,
    ...extra
  })
}

function clean (o) {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null) delete o[k]
  return o
}

const mentionsOf = m => {
  const list = m?.contextInfo?.mentionedJid
  return Array.isArray(list) && list.length > 0 ? [...list] : undefined
}

const quotedOf = m => {
  const ci = m?.contextInfo
  return ci?.stanzaId ? clean({ networkMessageId: ci.stanzaId, participant: ci.participant || undefined }) : undefined
}

/** @returns {{type: string, content: object, mentions?: string[], quoted?: object} | null} null: nothing a user sent (protocol/system messages) */
export function normaliseContent (message) {
  const content = normalizeMessageContent(message)
  const kind = getContentType(content)
  if (!content || !kind) return null
  const m = content[kind]
  switch (kind) {
    case 'conversation':
      return { type: 'text', content: { text: m } }
    case 'extendedTextMessage':
      return { type: 'text', content: { text: m.text ?? '' }, mentions: mentionsOf(m), quoted: quotedOf(m) }
    case 'imageMessage':
      return { type: 'image', content: mediaInfo(m, { width: m.width ?? undefined, height: m.height ?? undefined }), mentions: mentionsOf(m), quoted: quotedOf(m) }
    case 'videoMessage':
      return { type: 'video', content: mediaInfo(m, { seconds: m.seconds ?? undefined, gif: m.gifPlayback || undefined }), mentions: mentionsOf(m), quoted: quotedOf(m) }
    case 'audioMessage':
      return { type: 'audio', content: mediaInfo(m, { seconds: m.seconds ?? undefined, voice: Boolean(m.ptt) }), quoted: quotedOf(m) }
    case 'documentMessage':
      return { type: 'document', content: mediaInfo(m, { fileName: m.fileName ?? undefined, title: m.title ?? undefined }), quoted: quotedOf(m) }
    case 'stickerMessage':
      return { type: 'sticker', content: mediaInfo(m, { animated: Boolean(m.isAnimated) }), quoted: quotedOf(m) }
    case 'locationMessage':
    case 'liveLocationMessage':
      return {
        type: 'location',
        content: clean({ latitude: m.degreesLatitude, longitude: m.degreesLongitude, name: m.name ?? undefined, address: m.address ?? undefined, live: kind === 'liveLocationMessage' || undefined }),
        quoted: quotedOf(m)
      }
    case 'contactMessage':
      return { type: 'contacts', content: { contacts: [clean({ name: m.displayName ?? undefined, vcard: m.vcard ?? '' })] }, quoted: quotedOf(m) }
    case 'contactsArrayMessage':
      return {
        type: 'contacts',
        content: clean({ displayName: m.displayName ?? undefined, contacts: (m.contacts ?? []).map(c => clean({ name: c.displayName ?? undefined, vcard: c.vcard ?? '' })) }),
        quoted: quotedOf(m)
      }
    case 'reactionMessage':
      return { type: 'reaction', content: { emoji: m.text ?? '', target: clean({ networkMessageId: m.key?.id, fromMe: Boolean(m.key?.fromMe), participant: m.key?.participant || undefined }) } }
    case 'protocolMessage':
    case 'senderKeyDistributionMessage':
    case 'messageContextInfo':
      return null
    default:
      return { type: 'unsupported', content: { kind } }
  }
}

export const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker'])

/** messages.upsert's message → message.inbound params, or null when there is nothing to report. */
export function toInbound (sessionKey, msg) {
  const n = normaliseContent(msg.message)
  if (!n || !msg.key?.id) return null
  return clean({
    sessionKey,
    networkMessageId: msg.key.id,
    chat: msg.key.remoteJid,
    chatAlt: msg.key.remoteJidAlt || undefined,
    from: msg.key.fromMe ? undefined : (msg.key.participant || msg.key.remoteJid),
    fromAlt: msg.key.fromMe ? undefined : (msg.key.participantAlt || msg.key.remoteJidAlt || undefined),
    fromMe: Boolean(msg.key.fromMe),
    pushName: msg.pushName || undefined,
    timestamp: num(msg.messageTimestamp),
    type: n.type,
    content: n.content,
    mentions: n.mentions,
    quoted: n.quoted,
    hasMedia: MEDIA_TYPES.has(n.type),
    raw: encodeRaw(msg)
  })
}

// proto.WebMessageInfo.Status: ERROR 0, PENDING 1, SERVER_ACK 2, DELIVERY_ACK 3, READ 4, PLAYED 5
const STATUS = { 2: 'sent', 3: 'delivered', 4: 'read', 5: 'read' }
export const RANK = { sent: 1, delivered: 2, read: 3 }

export function statusFromUpdate (status) {
  if (typeof status === 'string') status = proto.WebMessageInfo.Status[status]
  return STATUS[status] ?? (status === 0 ? 'failed' : undefined)
}

export function statusFromReceipt (receipt) {
  if (receipt?.readTimestamp || receipt?.playedTimestamp) return 'read'
  if (receipt?.receiptTimestamp) return 'delivered'
  return undefined
}
