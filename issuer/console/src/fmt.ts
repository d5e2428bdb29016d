// fmt.ts — how the console writes times and sizes for people. Times are
// Beijing time (UTC+8, no daylight saving), written out so no one has to
// guess: "2026-12-03 18:23 北京时间". Machine formats stay UTC.

const pad = (n: number) => String(n).padStart(2, '0');

export function beijing(iso?: string | null, seconds = false): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + 8 * 3600 * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? ':' + pad(d.getUTCSeconds()) : ''}`;
  return `${date} ${time} 北京时间`;
}

export function beijingDate(iso?: string | null): string {
  return beijing(iso).slice(0, 10);
}

export function bytes(n?: number): string {
  if (n === undefined || n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function mm(v?: number): string {
  return v === undefined || v === null ? '—' : `${Number(v).toFixed(1)} mm`;
}

/* short folds a digest for a table cell; the full value is in its title. */
export function short(hex?: string): string {
  return hex ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : '—';
}

// staffLabel names the account that acted: its username when the issuer sent
// one (only admins get them), otherwise its opaque staff id ("st:…") as a
// short number a clerk can read out and an admin can look up.
export function staffLabel(id?: string, username?: string): string {
  if (!id) return '—';
  if (username) return username;
  return id.startsWith('st:') ? `编号 ${id.slice(3, 11)}` : id;
}
