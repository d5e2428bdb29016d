// session.ts — who is logged in, as the issuer says (GET /api/v1/session),
// and the role tests every page makes before it offers a step.
import { reactive } from 'vue';
import { api, get, post, setCsrf } from './api';

export interface Who {
  username: string;
  id?: string; // the opaque staff id the public log names this account by

  role: 'admin' | 'maker' | 'reviewer' | 'agent' | 'aggregator' | string;
  unit?: string;
  city?: string;
  office?: string; // the unit register (agents): 主管处室
  leader?: string; // and 分管领导
  expires?: string;
  idle_expires?: string;
  csrf?: string;
}

export const session = reactive({ who: null as Who | null, checked: false });

export const ROLE_NAMES: Record<string, string> = {
  admin: '系统管理员',
  maker: '制作员',
  reviewer: '审核员',
  agent: '经办人',
  aggregator: '汇聚单位',
};

function keep(w: Who): Who {
  setCsrf(w.csrf ?? '');
  session.who = w;
  session.checked = true;
  return w;
}

/* A mark in localStorage that this browser logged in: without it the first
 * page goes straight to the login form instead of asking the issuer and
 * getting a 401 (which the browser would log as an error). The session
 * itself stays in the HttpOnly cookie. */
const MARK = 'eseal.console.session';

/* forget drops what this browser knows of a session the issuer ended. */
export function forget(): void {
  localStorage.removeItem(MARK);
  setCsrf('');
  session.who = null;
}

export async function whoami(): Promise<Who | null> {
  try {
    if (!localStorage.getItem(MARK)) throw new Error('not logged in here');
    return keep(await get<Who>('/api/v1/session'));
  } catch {
    localStorage.removeItem(MARK);
    session.who = null;
    session.checked = true;
    return null;
  }
}

export async function login(username: string, password: string): Promise<Who> {
  const w = keep(await post<Who>('/api/v1/session', { username, password, cookie: true }));
  localStorage.setItem(MARK, '1');
  return w;
}

export async function logout(all = false): Promise<void> {
  try {
    await api('DELETE', `/api/v1/session${all ? '?all=1' : ''}`);
  } finally {
    setCsrf('');
    localStorage.removeItem(MARK);
    session.who = null;
  }
}

export const hasRole = (...roles: string[]) => !!session.who && roles.includes(session.who.role);
