// The tenant's live event stream (GET /v1/events/stream, Server-Sent Events). EventSource cannot send the
// API key in a header, and the key must never go in a URL, so the stream is read with fetch() and parsed here.
import { auth } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let controller = null;
let lastId = null;
let state = 'off';

/** Calls fn(event) for every event from now on; returns the unsubscribe function. */
export function onEvent(fn) {
  listeners.add(fn);
  start();
  return () => listeners.delete(fn);
}

/** 'connecting', 'live', 'retrying' or 'off'. */
export function onStreamState(fn) { stateListeners.add(fn); fn(state); return () => stateListeners.delete(fn); }

function setState(next) { state = next; stateListeners.forEach(fn => fn(next)); }

export function stopStream() {
  controller?.abort();
  controller = null;
  lastId = null;
  setState('off');
}

function start() {
  if (controller || !auth.key || auth.isOperator) return;
  controller = new AbortController();
  run(controller.signal);
}

async function run(signal) {
  let delay = 1000;
  while (!signal.aborted) {
    setState('connecting');
    try {
      const headers = { 'X-Api-Key': auth.key, Accept: 'text/event-stream' };
      // Resume after the last event seen, so a dropped connection misses nothing.
      if (lastId) headers['Last-Event-ID'] = lastId;
      const response = await fetch('/v1/events/stream', { headers, signal, cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      setState('live');
      delay = 1000;
      await read(response.body, signal);
    } catch (error) {
      if (signal.aborted) return;
    }
    setState('retrying');
    await new Promise(resolve => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

async function read(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

// One SSE message: "id:", "event:" and "data:" lines; lines starting with ":" are comments (keep-alives).
function dispatch(block) {
  let id = null; const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'id') id = value;
    else if (name === 'data') data.push(value);
  }
  if (id) lastId = id;
  if (!data.length) return;
  let event;
  try { event = JSON.parse(data.join('\n')); } catch { return; }
  for (const fn of [...listeners]) {
    try { fn(event); } catch (error) { console.error('event listener failed', error); }
  }
}
