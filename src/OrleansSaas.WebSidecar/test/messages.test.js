import { test } from 'node:test'
import assert from 'node:assert/strict'
import { proto } from 'baileys'
import { harness, sleep } from '../testing/fakes.js'

const CHAT = '4915111111111@s.whatsapp.net'
const png = Buffer.from('89504e470d0a1a0a', 'hex')

const upsert = (s, message, extra = {}) => s.ev.emit('messages.upsert', {
  type: 'notify',
  messages: [{ key: { remoteJid: CHAT, id: extra.id ?? 'IN1', fromMe: false, ...extra.key }, pushName: 'Bob', messageTimestamp: 1764600000, message }]
})

const inbound = h => h.events.filter(e => e.event === 'message.inbound').map(e => e.params)

async function connected (opts) {
  const h = harness(opts)
  const s = await h.started('t/a')
  s.open()
  return { h, s }
}

const media = { mediaKey: Buffer.from('k'), fileSha256: Buffer.from('sha'), fileLength: 1234, url: 'https://mmg.whatsapp.net/x', directPath: '/x' }
const INBOUND_CASES = [
  ['text (conversation)', { conversation: 'hello' }, 'text', { text: 'hello' }],
  ['text with mentions and a reply', { extendedTextMessage: { text: 'hi @49151', contextInfo: { mentionedJid: ['49151@s.whatsapp.net'], stanzaId: 'OUT9', participant: '4915999@s.whatsapp.net' } } }, 'text', { text: 'hi @49151' },
    { mentions: ['49151@s.whatsapp.net'], quoted: { networkMessageId: 'OUT9', participant: '4915999@s.whatsapp.net' } }],
  ['image', { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'look', width: 10, height: 20 } }, 'image', { mimetype: 'image/jpeg', fileLength: 1234, sha256: Buffer.from('sha').toString('base64'), caption: 'look', width: 10, height: 20 }],
  ['video', { videoMessage: { ...media, mimetype: 'video/mp4', seconds: 3, gifPlayback: true } }, 'video', { mimetype: 'video/mp4', fileLength: 1234, sha256: 'c2hh', seconds: 3, gif: true }],
  ['voice note', { audioMessage: { ...media, mimetype: 'audio/ogg; codecs=opus', seconds: 4, ptt: true } }, 'audio', { mimetype: 'audio/ogg; codecs=opus', fileLength: 1234, sha256: 'c2hh', seconds: 4, voice: true }],
  ['audio', { audioMessage: { ...media, mimetype: 'audio/mp4', seconds: 9 } }, 'audio', { mimetype: 'audio/mp4', fileLength: 1234, sha256: 'c2hh', seconds: 9, voice: false }],
  ['document (with caption wrapper)', { documentWithCaptionMessage: { message: { documentMessage: { ...media, mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'the doc' } } } }, 'document', { mimetype: 'application/pdf', fileLength: 1234, sha256: 'c2hh', caption: 'the doc', fileName: 'a.pdf' }],
  ['sticker', { stickerMessage: { ...media, mimetype: 'image/webp', isAnimated: false } }, 'sticker', { mimetype: 'image/webp', fileLength: 1234, sha256: 'c2hh', animated: false }],
  ['location', { locationMessage: { degreesLatitude: 52.5, degreesLongitude: 13.4, name: 'Berlin' } }, 'location', { latitude: 52.5, longitude: 13.4, name: 'Berlin' }],
  ['one contact', { contactMessage: { displayName: 'Eve', vcard: 'BEGIN:VCARD\nFN:Eve\nEND:VCARD' } }, 'contacts', { contacts: [{ name: 'Eve', vcard: 'BEGIN:VCARD\nFN:Eve\nEND:VCARD' }] }],
  ['several contacts', { contactsArrayMessage: { displayName: '2 contacts', contacts: [{ displayName: 'A', vcard: 'V1' }, { displayName: 'B', vcard: 'V2' }] } }, 'contacts', { displayName: '2 contacts', contacts: [{ name: 'A', vcard: 'V1' }, { name: 'B', vcard: 'V2' }] }],
  ['reaction', { reactionMessage: { key: { remoteJid: CHAT, id: 'OUT1', fromMe: true }, text: '👍' } }, 'reaction', { emoji: '👍', target: { networkMessageId: 'OUT1', fromMe: true } }],
  ['disappearing (ephemeral) text', { ephemeralMessage: { message: { conversation: 'poof' } } }, 'text', { text: 'poof' }],
  ['view-once image', { viewOnceMessageV2: { message: { imageMessage: { ...media, mimetype: 'image/jpeg' } } } }, 'image', { mimetype: 'image/jpeg', fileLength: 1234, sha256: 'c2hh' }]
]

for (const [name, message, type, content, extra = {}] of INBOUND_CASES) {
  test(`messages.upsert notify → message.inbound: ${name}`, async () => {
    const { h, s } = await connected()
    upsert(s, message)
    const [m] = inbound(h)
    assert.equal(m.sessionKey, 't/a')
    assert.equal(m.networkMessageId, 'IN1')
    assert.equal(m.chat, CHAT)
    assert.equal(m.from, CHAT)
    assert.equal(m.fromMe, false)
    assert.equal(m.pushName, 'Bob')
    assert.equal(m.timestamp, 1764600000)
    assert.equal(m.type, type)
    assert.deepEqual(m.content, content)
    assert.equal(m.hasMedia, ['image', 'video', 'audio', 'document', 'sticker'].includes(type))
    assert.deepEqual(m.mentions, extra.mentions)
    assert.deepEqual(m.quoted, extra.quoted)
    const raw = proto.WebMessageInfo.fromObject(JSON.parse(m.raw))
    assert.equal(raw.key.id, 'IN1', 'raw decodes back to the WAMessage')
    await h.shutdown()
  })
}

test('group messages name the participant as sender; system messages and non-notify upserts are not reported', async () => {
  const { h, s } = await connected()
  upsert(s, { conversation: 'in group' }, { key: { remoteJid: '1203630@g.us', participant: '4915222@s.whatsapp.net' } })
  upsert(s, { protocolMessage: { type: 0 } }, { id: 'SYS' })
  s.ev.emit('messages.upsert', { type: 'append', messages: [{ key: { remoteJid: CHAT, id: 'HIST', fromMe: false }, message: { conversation: 'old' } }] })
  upsert(s, { pollCreationMessage: { name: 'q' } }, { id: 'POLL' })
  const all = inbound(h)
  assert.deepEqual(all.map(m => m.networkMessageId), ['IN1', 'POLL'])
  assert.equal(all[0].chat, '1203630@g.us')
  assert.equal(all[0].from, '4915222@s.whatsapp.net')
  assert.equal(all[1].type, 'unsupported')
  await h.shutdown()
})

const send = (h, content, messageId = 'msg-1', to = '+4915111111111') => h.request('message.send', { sessionKey: 't/a', messageId, to, content })

const SEND_CASES = [
  ['text with mentions', { type: 'text', text: 'hi @4915222', mentions: ['4915222'] }, { text: 'hi @4915222', mentions: ['4915222@s.whatsapp.net'] }],
  ['image from base64', { type: 'image', media: { data: png.toString('base64') }, caption: 'c', mimetype: 'image/png' }, { image: png, caption: 'c', mimetype: 'image/png' }],
  ['video from a silo URL', { type: 'video', media: { url: 'http://127.0.0.1:5080/media/1' }, gif: true }, { video: { url: 'http://127.0.0.1:5080/media/1' }, gifPlayback: true }],
  ['voice note', { type: 'audio', media: { data: 'AAEC' }, voice: true }, { audio: Buffer.from([0, 1, 2]), ptt: true, mimetype: 'audio/ogg; codecs=opus' }],
  ['audio', { type: 'audio', media: { data: 'AAEC' }, mimetype: 'audio/mpeg' }, { audio: Buffer.from([0, 1, 2]), ptt: false, mimetype: 'audio/mpeg' }],
  ['document', { type: 'document', media: { data: 'AAEC' }, mimetype: 'application/pdf', fileName: 'a.pdf' }, { document: Buffer.from([0, 1, 2]), mimetype: 'application/pdf', fileName: 'a.pdf' }],
  ['sticker', { type: 'sticker', media: { data: 'AAEC' } }, { sticker: Buffer.from([0, 1, 2]) }],
  ['location', { type: 'location', latitude: 52.5, longitude: 13.4, name: 'Berlin' }, { location: { degreesLatitude: 52.5, degreesLongitude: 13.4, name: 'Berlin' } }],
  ['contacts', { type: 'contacts', contacts: [{ name: 'Eve', phones: ['4915333'] }] }, { contacts: { displayName: 'Eve', contacts: [{ displayName: 'Eve', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Eve\nTEL;type=CELL;waid=4915333:+4915333\nEND:VCARD' }] } }],
  ['reaction', { type: 'reaction', emoji: '❤️', target: { networkMessageId: 'IN7' } }, { react: { text: '❤️', key: { remoteJid: CHAT, id: 'IN7', fromMe: false } } }]
]

for (const [name, content, expected] of SEND_CASES) {
  test(`message.send ${name} → Baileys sendMessage content, network id back`, async () => {
    const { h, s } = await connected()
    const r = await send(h, content)
    assert.equal(r.ok, true, JSON.stringify(r.error))
    assert.equal(s.sent.length, 1)
    assert.equal(s.sent[0].jid, CHAT)
    assert.deepEqual(s.sent[0].content, expected)
    assert.match(r.result.networkMessageId, /^3EB0/)
    assert.equal(r.result.timestamp, 1764600000)
    assert.equal(proto.WebMessageInfo.fromObject(JSON.parse(r.result.raw)).key.id, r.result.networkMessageId)
    await h.shutdown()
  })
}

test('a reply quotes the stored raw message, or a key when the silo has none', async () => {
  const { h, s } = await connected()
  upsert(s, { conversation: 'question?' }, { id: 'Q1' })
  const raw = inbound(h)[0].raw
  await send(h, { type: 'text', text: 'answer', replyTo: { networkMessageId: 'Q1', raw } })
  assert.equal(s.sent[0].options.quoted.key.id, 'Q1')
  assert.equal(s.sent[0].options.quoted.message.conversation, 'question?')
  await send(h, { type: 'text', text: 'answer 2', replyTo: { networkMessageId: 'Q2', participant: '4915222' } }, 'msg-2')
  assert.deepEqual({ ...s.sent[1].options.quoted.key }, { remoteJid: CHAT, id: 'Q2', fromMe: false, participant: '4915222@s.whatsapp.net' })
  await h.shutdown()
})

test('message.send is idempotent per messageId: a retry returns the first result without a second send', async () => {
  const { h, s } = await connected()
  const a = await send(h, { type: 'text', text: 'once' }, 'same')
  const b = await send(h, { type: 'text', text: 'once' }, 'same')
  assert.deepEqual(b.result, a.result)
  assert.equal(s.sent.length, 1)
  await h.shutdown()
})

test('bad sends name the field; buttons are an unsupported type; a session not open says not_connected', async () => {
  const { h } = await connected()
  const cases = [
    [{ type: 'text' }, 'invalid_params', 'content.text'],
    [{ type: 'image', media: { data: '***' } }, 'invalid_params', 'content.media.data'],
    [{ type: 'image', media: { url: 'file:///etc/passwd' } }, 'invalid_params', 'content.media'],
    [{ type: 'document', media: { data: 'AA==' } }, 'invalid_params', 'content.mimetype'],
    [{ type: 'location', latitude: 91, longitude: 0 }, 'invalid_params', 'content.latitude'],
    [{ type: 'reaction', emoji: 'x' }, 'invalid_params', 'content.target'],
    [{ type: 'buttons', text: 'pick' }, 'unsupported_type', 'content.type'],
    [{ type: 'text', text: 'x', mentions: ['abc'] }, 'invalid_params', 'content.mentions[0]']
  ]
  for (const [content, code, field] of cases) {
    const r = await send(h, content)
    assert.equal(r.error?.code, code, JSON.stringify(content))
    assert.equal(r.error.field, field)
  }
  const badTo = await send(h, { type: 'text', text: 'x' }, 'm', '12')
  assert.equal(badTo.error.field, 'to')
  const h2 = harness()
  await h2.started('t/a')
  const r = await h2.request('message.send', { sessionKey: 't/a', messageId: 'm', to: '4915111111111', content: { type: 'text', text: 'x' } })
  assert.equal(r.error.code, 'not_connected')
  assert.equal(r.error.retryable, true)
  await h.shutdown(); await h2.shutdown()
})

test('receipts from messages.update: sent, delivered, read — never backwards, no duplicates, with our messageId', async () => {
  const { h, s } = await connected()
  const { result } = await send(h, { type: 'text', text: 'x' }, 'our-1')
  const id = result.networkMessageId
  const key = { remoteJid: CHAT, id, fromMe: true }
  const upd = status => s.ev.emit('messages.update', [{ key, update: { status } }])
  upd(proto.WebMessageInfo.Status.SERVER_ACK)
  upd(proto.WebMessageInfo.Status.DELIVERY_ACK)
  upd(proto.WebMessageInfo.Status.SERVER_ACK) // late, lower
  upd(proto.WebMessageInfo.Status.DELIVERY_ACK) // duplicate
  upd(proto.WebMessageInfo.Status.READ)
  upd(proto.WebMessageInfo.Status.PLAYED)
  s.ev.emit('messages.update', [{ key: { ...key, fromMe: false, id: 'IN1' }, update: { status: 4 } }]) // not ours
  const receipts = h.events.filter(e => e.event === 'receipt').map(e => e.params)
  assert.deepEqual(receipts.map(r => r.status), ['sent', 'delivered', 'read'])
  assert.deepEqual(receipts[0], { sessionKey: 't/a', networkMessageId: id, messageId: 'our-1', chat: CHAT, status: 'sent' })
  upd(proto.WebMessageInfo.Status.ERROR)
  const err = h.events.find(e => e.event === 'error')
  assert.equal(err.params.code, 'send_failed')
  assert.equal(err.params.messageId, 'our-1')
  await h.shutdown()
})

test('receipts from message-receipt.update (groups): delivered then read, per recipient', async () => {
  const { h, s } = await connected()
  const key = { remoteJid: '1203630@g.us', id: 'G1', fromMe: true }
  s.ev.emit('message-receipt.update', [{ key, receipt: { userJid: '4915222@s.whatsapp.net', receiptTimestamp: 1764600001 } }])
  s.ev.emit('message-receipt.update', [{ key, receipt: { userJid: '4915333@s.whatsapp.net', readTimestamp: 1764600002 } }])
  s.ev.emit('message-receipt.update', [{ key, receipt: { userJid: '4915444@s.whatsapp.net', receiptTimestamp: 1764600003 } }])
  const receipts = h.events.filter(e => e.event === 'receipt').map(e => e.params)
  assert.deepEqual(receipts.map(r => [r.status, r.recipient]), [['delivered', '4915222@s.whatsapp.net'], ['read', '4915333@s.whatsapp.net']])
  await h.shutdown()
})

test('getMessage is served from the silo through message.get', async () => {
  const { h, s } = await connected()
  const { result } = await send(h, { type: 'text', text: 'keep me' })
  h.messages.set(result.networkMessageId, result.raw)
  const msg = await s.config.getMessage({ remoteJid: CHAT, id: result.networkMessageId, fromMe: true })
  assert.equal(msg.conversation, 'keep me')
  const req = h.siloRequests.find(r => r.method === 'message.get')
  assert.deepEqual(req.params, { sessionKey: 't/a', key: { remoteJid: CHAT, id: result.networkMessageId, fromMe: true } })
  assert.equal(await s.config.getMessage({ remoteJid: CHAT, id: 'unknown', fromMe: true }), undefined)
  await h.shutdown()
})

test('media.download hands Baileys the stored message and returns base64', async () => {
  const calls = []
  const { h, s } = await connected({ downloadMedia: async (msg, type, opts, ctx) => { calls.push({ msg, type, ctx }); return Buffer.from('jpegbytes') } })
  upsert(s, { imageMessage: { ...media, mimetype: 'image/jpeg' } })
  const r = await h.request('media.download', { sessionKey: 't/a', raw: inbound(h)[0].raw })
  assert.deepEqual(r.result, { data: Buffer.from('jpegbytes').toString('base64'), mimetype: 'image/jpeg', fileLength: 9 })
  assert.equal(calls[0].type, 'buffer')
  assert.equal(calls[0].msg.key.id, 'IN1')
  assert.equal(typeof calls[0].ctx.reuploadRequest, 'function')
  const bad = await h.request('media.download', { sessionKey: 't/a', raw: 'nope' })
  assert.equal(bad.error.field, 'raw')
  await h.shutdown()
})

test('message.read and presence.typing reach the socket', async () => {
  const { h, s } = await connected()
  const r = await h.request('message.read', { sessionKey: 't/a', messages: [{ networkMessageId: 'IN1', chat: '4915111111111' }] })
  assert.equal(r.ok, true)
  assert.deepEqual(s.read, [[{ remoteJid: CHAT, id: 'IN1', fromMe: false }]])
  await h.request('presence.typing', { sessionKey: 't/a', to: CHAT, state: 'composing' })
  await h.request('presence.typing', { sessionKey: 't/a', to: CHAT, state: 'paused' })
  assert.deepEqual(s.presence, [{ state: 'composing', jid: CHAT }, { state: 'paused', jid: CHAT }])
  const bad = await h.request('presence.typing', { sessionKey: 't/a', to: CHAT, state: 'dancing' })
  assert.equal(bad.error.field, 'state')
  await sleep(1)
  await h.shutdown()
})

test('a message from a LID chat also names the phone-number JID Baileys knows', async () => {
  const { h, s } = await connected()
  upsert(s, { conversation: 'via lid' }, { key: { remoteJid: '123456789@lid', remoteJidAlt: '4915111111111@s.whatsapp.net' } })
  const [m] = inbound(h)
  assert.equal(m.chat, '123456789@lid')
  assert.equal(m.chatAlt, '4915111111111@s.whatsapp.net')
  assert.equal(m.fromAlt, '4915111111111@s.whatsapp.net')
  await h.shutdown()
})
