// api.ts — the console's only way to the issuer: its JSON API (docs/api.md),
// with the session cookie and, on every state-changing request, the CSRF
// token the session was given. Errors come back as ApiError with the API's
// own code, message and field, so a page can put them next to the input.

export interface ApiErrorBody {
  code: string;
  message: string;
  description?: string;
  field?: string;
  findings?: unknown;
}

export class ApiError extends Error {
  status: number;
  code: string;
  field?: string;
  body: ApiErrorBody;
  retryAfter?: number;
  constructor(status: number, body: ApiErrorBody, retryAfter?: number) {
    super(body.message || body.description || `HTTP ${status}`);
    this.status = status;
    this.code = body.code;
    this.field = body.field;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

let csrfToken = '';
let onUnauthenticated: (() => void) | null = null;

export function setCsrf(token: string): void {
  csrfToken = token;
}
export function onLoggedOut(fn: () => void): void {
  onUnauthenticated = fn;
}

type Body = object | FormData | undefined;

export async function api<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const resp = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  return outcome<T>(resp.status, await resp.text(), resp.headers.get('Retry-After'), path);
}

/* outcome reads an answer of the issuer: its JSON, or an ApiError. */
function outcome<T>(status: number, text: string, retryAfter: string | null, path: string): T {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (status < 200 || status >= 300) {
    const err = (json as { error?: ApiErrorBody } | null)?.error ?? {
      code: 'http',
      message: `服务返回 HTTP ${status} / the server answered HTTP ${status}`,
    };
    const ra = Number(retryAfter ?? '');
    const e = new ApiError(status, err, Number.isFinite(ra) && ra > 0 ? ra : undefined);
    if (status === 401 && path !== '/api/v1/session' && onUnauthenticated) onUnauthenticated();
    throw e;
  }
  return json as T;
}

/* upload posts a multipart form with progress (fetch cannot report it):
 * |progress| gets the percentage sent. */
export function upload<T>(path: string, fd: FormData, progress?: (percent: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('Accept', 'application/json');
    if (csrfToken) x.setRequestHeader('X-CSRF-Token', csrfToken);
    x.upload.onprogress = (e) => {
      if (e.lengthComputable && progress) progress(Math.round((e.loaded / e.total) * 100));
    };
    x.onload = () => {
      try {
        resolve(outcome<T>(x.status, x.responseText, x.getResponseHeader('Retry-After'), path));
      } catch (e) {
        reject(e);
      }
    };
    x.onerror = () => reject(new Error('上传中断 / the upload was interrupted'));
    x.send(fd);
  });
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: Body) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: Body) => api<T>('PUT', path, body);

/* query builds "?a=1&b=2" from the keys that have a value. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/* materialUrl is where a material of a submission is read; inline asks the
 * issuer to let the browser show it in place (PDF and images). */
export function materialUrl(id: string, sm3: string, inline = false): string {
  return `/api/v1/submissions/${encodeURIComponent(id)}/materials/${sm3}${inline ? '?inline=1' : ''}`;
}

/* message is what a person reads about a failed call. */
export function message(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return `网络错误 / network error: ${e.message}`;
  return String(e);
}
