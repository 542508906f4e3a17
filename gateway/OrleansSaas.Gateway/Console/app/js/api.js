// The only way the console talks to the gateway: its public REST API, with the key in a header.
// The key lives in sessionStorage (gone when the tab closes), never in a URL or a cookie.
const KEY = 'orleanssaas.console.key';
const KIND = 'orleanssaas.console.kind';
const TENANT = 'orleanssaas.console.tenant';

export const auth = {
  get key() { return sessionStorage.getItem(KEY); },
  get kind() { return sessionStorage.getItem(KIND); },
  get isOperator() { return this.kind === 'operator'; },
  save(kind, key) { sessionStorage.setItem(KIND, kind); sessionStorage.setItem(KEY, key); },
  get tenantName() { return sessionStorage.getItem(TENANT); },
  set tenantName(name) { sessionStorage.setItem(TENANT, name); },
  clear() { [KEY, KIND, TENANT].forEach(item => sessionStorage.removeItem(item)); },
};

/** An API answer that was not 2xx, carrying its problem+json (title, detail, errors by field). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `The gateway answered ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get fieldErrors() { return this.problem.errors || {}; }
}

async function request(header, path, { method = 'GET', body, form, as = 'json', key = auth.key, signal, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal, cache: 'no-store' };
  if (key) init.headers[header] = key;
  if (form) init.body = form;
  else if (body !== undefined) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'The gateway cannot be reached', detail: 'Check that it is running, then try again.' });
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  if (as === 'blob') return response.blob();
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Tenant routes: the key goes in X-Api-Key. */
export const api = (path, options) => request('X-Api-Key', path, options);
/** Operator routes (/v1/admin): the key goes in X-Admin-Key; a tenant key is refused there by the API itself. */
export const adminApi = (path, options) => request('X-Admin-Key', '/v1/admin' + path, options);

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? '?' + text : '';
}

let config;
/** The gateway's console settings: { dashboardUrl, devEndpoints } (nothing secret; no key needed). */
export function consoleConfig() {
  config ??= fetch('/console/config.json', { cache: 'no-store' }).then(r => r.json()).catch(() => { config = undefined; return {}; });
  return config;
}
