// session.ts — who is logged in, as the issuer says (GET /api/v1/session),
// and the role tests every page makes before it offers a step.
import { reactive } from 'vue';
import { api, get, post, setCsrf } from './api';

export interface Who {
  username: string;
  role: 'admin' | 'maker' | 'reviewer' | 'agent' | 'aggregator' | string;
  unit?: string;
  city?: string;
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

export async function whoami(): Promise<Who | null> {
  try {
    return keep(await get<Who>('/api/v1/session'));
  } catch {
    session.who = null;
    session.checked = true;
    return null;
  }
}

export async function login(username: string, password: string): Promise<Who> {
  return keep(await post<Who>('/api/v1/session', { username, password, cookie: true }));
}

export async function logout(all = false): Promise<void> {
  try {
    await api('DELETE', `/api/v1/session${all ? '?all=1' : ''}`);
  } finally {
    setCsrf('');
    session.who = null;
  }
}

export const hasRole = (...roles: string[]) => !!session.who && roles.includes(session.who.role);
