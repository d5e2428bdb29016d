// catalog.ts — the names of things, from the issuer's GET /api/v1/catalog
// (its own tables: business types, states, kinds, regions, reasons…), so the
// console never keeps a second copy of the rules. Lists in the catalog may be
// arrays of {key, zh, en} or maps of key → name; both are read.
import { reactive } from 'vue';
import { get } from './api';

export interface Entry {
  key: string;
  zh: string;
  en: string;
  raw: Record<string, unknown>;
}
export interface Region {
  code: string;
  name: string;
  counties: { code: string; name: string }[];
}

type Raw = Record<string, unknown>;

function entry(key: string, v: unknown): Entry {
  if (typeof v === 'string') {
    const [zh, en] = v.split(' / ');
    return { key, zh, en: en ?? '', raw: {} };
  }
  const o = (v ?? {}) as Raw;
  const label = (o.label ?? o.text ?? o.title ?? o.name) as unknown;
  let zh = (o.zh ?? o.name_zh) as string | undefined;
  let en = (o.en ?? o.name_en) as string | undefined;
  if (label && typeof label === 'object') {
    zh = zh ?? ((label as Raw).zh as string);
    en = en ?? ((label as Raw).en as string);
  } else if (typeof label === 'string') {
    const [a, b] = label.split(' / ');
    zh = zh ?? a;
    en = en ?? b;
  }
  return { key, zh: zh ?? key, en: en ?? '', raw: o };
}

function entries(v: unknown): Entry[] {
  if (Array.isArray(v)) {
    return v.map((x) => {
      const o = (x ?? {}) as Raw;
      const key = String(o.key ?? o.code ?? o.value ?? o.name ?? '');
      return entry(key, x);
    });
  }
  if (v && typeof v === 'object') return Object.entries(v as Raw).map(([k, x]) => entry(k, x));
  return [];
}

function regions(v: unknown): Region[] {
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v as Raw) : [];
  return list.map((x) => {
    const o = x as Raw;
    const counties = (Array.isArray(o.counties) ? o.counties : []) as Raw[];
    return {
      code: String(o.code ?? ''),
      name: String(o.name ?? o.zh ?? o.code ?? ''),
      counties: counties.map((c) => ({ code: String(c.code ?? ''), name: String(c.name ?? c.zh ?? c.code ?? '') })),
    };
  });
}

/* What the console shows when the catalog does not name a state. */
const STATE_FALLBACK: Record<string, string> = {
  draft: '草稿',
  collected: '已汇聚',
  submitted: '待登记',
  registered: '待审核',
  approved: '待制作',
  rejected: '已驳回',
  produced: '待交付',
  handed_over: '已交付',
  done: '已办结',
};

export const catalog = reactive({
  loaded: false,
  raw: {} as Raw,
  lists: {} as Record<string, Entry[]>,
  regions: [] as Region[],
});

export async function loadCatalog(): Promise<void> {
  if (catalog.loaded) return;
  const raw = await get<Raw>('/api/v1/catalog');
  catalog.raw = raw;
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'regions' || k === 'cities') {
      const r = v as Raw;
      catalog.regions = regions(r && !Array.isArray(r) && r.cities ? r.cities : v);
    } else if (k === 'paper_checklist') {
      // [{kind, points:[{key, zh, en}]}]: the points' names, once each
      const pts = new Map<string, Entry>();
      for (const row of (Array.isArray(v) ? v : []) as Raw[])
        for (const p of entries(row.points)) pts.set(p.key, p);
      catalog.lists.paper_points = [...pts.values()];
    } else catalog.lists[k] = entries(v);
  }
  catalog.loaded = true;
}

/* list returns the first of |names| the catalog has (its key names vary by
 * version: "businesses" or "business"). */
export function list(...names: string[]): Entry[] {
  for (const n of names) if (catalog.lists[n]?.length) return catalog.lists[n];
  return [];
}

export function label(names: string[], key?: string | null): string {
  if (!key) return '—';
  const e = list(...names).find((x) => x.key === key);
  return e ? e.zh : key;
}

export const businessName = (k?: string) => label(['businesses', 'business', 'business_types'], k);
/* A state's short name: "待登记（已提交）" is shown as 待登记. */
export const stateName = (k?: string) => {
  const e = list('states', 'state').find((x) => x.key === k);
  return e ? e.zh.replace(/（.*）$/, '') : k ? (STATE_FALLBACK[k] ?? k) : '—';
};
export const kindName = (k?: string) => label(['seal_kinds', 'kinds', 'seal_kind'], k);
export const functionName = (k?: string) => label(['functions', 'seal_functions', 'function'], k);
export const certTypeName = (k?: string) => label(['cert_types', 'carriers', 'cert_type'], k);
export const materialName = (k?: string) => label(['materials', 'material_kinds', 'material'], k);
const STATUS_FALLBACK: Record<string, string> = {
  pending: '待交付',
  good: '有效',
  suspended: '已挂失',
  revoked: '已撤销',
  expired: '已过期',
  superseded: '已替换',
};
export const statusName = (k?: string) => {
  const e = list('seal_statuses', 'statuses', 'seal_status').find((x) => x.key === k);
  return e ? e.zh : k ? (STATUS_FALLBACK[k] ?? k) : '—';
};
/* An application's status is a submission state (produced, handed_over)
 * or, once its seal lives, the seal's status. */
export const applicationStatusName = (k?: string) => (stateName(k) === k ? statusName(k) : stateName(k));
export const reasonName = (k?: string) => label(['revoke_reasons', 'revocation_reasons'], k);
export const channelName = (k?: string) => label(['channels', 'channel'], k);
export function pointName(k?: string): string {
  return label(['paper_points', 'points', 'paper_checklist'], k);
}
/* province is the province itself (350000: province-level units), which
 * the catalog gives apart from its cities. */
export function province(): { code: string; name: string } | null {
  const p = (catalog.raw.regions as Raw | undefined)?.province as Raw | null | undefined;
  return p ? { code: String(p.code), name: String(p.name) } : null;
}

export function cityName(code?: string): string {
  if (!code) return '—';
  if (code === province()?.code) return `${province()!.name}（省级）`;
  for (const r of catalog.regions) {
    if (r.code === code) return r.name;
    const c = r.counties.find((x) => x.code === code);
    if (c) return `${r.name}${c.name}`;
  }
  return code;
}

/* stateType colours a state's tag: what waits on staff is orange, what is
 * done is green, a rejection red. */
export function stateType(s?: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  if (s === 'handed_over' || s === 'done') return 'success';
  if (s === 'rejected') return 'danger';
  if (s === 'draft' || s === 'collected') return 'info';
  if (s === 'approved' || s === 'produced') return 'primary';
  return 'warning';
}
export function statusType(s?: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  if (s === 'good') return 'success';
  if (s === 'revoked' || s === 'expired') return 'danger';
  if (s === 'suspended') return 'warning';
  return 'info';
}
