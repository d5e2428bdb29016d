// findings.ts — the rules' findings of a submission (check.findings), put
// next to the field each concerns by its path ("forms[0].seal.name").
export interface Finding {
  rule: string;
  code?: string;
  severity: 'error' | 'warning' | 'note' | string;
  acknowledged?: boolean;
  path?: string;
  field?: string;
  value?: unknown;
  expected?: unknown;
  message?: { zh?: string; en?: string } | string;
}

export function text(f: Finding): string {
  if (!f.message) return f.rule;
  if (typeof f.message === 'string') return f.message;
  return [f.message.zh, f.message.en].filter(Boolean).join(' / ');
}

export function pathOf(f: Finding): string {
  return f.path ?? f.field ?? '';
}

/* at returns the findings about |path| itself or anything under it. */
export function at(all: Finding[], path: string): Finding[] {
  return all.filter((f) => {
    const p = pathOf(f);
    return p === path || p.startsWith(path + '.') || p.startsWith(path + '[');
  });
}

export const SEVERITY: Record<string, string> = { error: '错误', warning: '警告', note: '提示', rejected: '退回理由' };
