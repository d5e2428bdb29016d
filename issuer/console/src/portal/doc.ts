// doc.ts — the submission document as the portal edits it (the issuer's
// JSON format, docs/issuer-domain.md §3), and what the portal derives so the
// applicant types each thing once: the letter's business, form count and
// kinds, each form's business, and the summary table's rows come from the
// forms; the channel and aggregator from the applicant's city.

export interface Unit { name: string; uscc: string; city: string; county: string }
export interface Person { name: string; id_number: string }
export interface Agent { name: string; mobile: string; id_number: string }
export interface Seal { name: string; width_mm: number | null; height_mm: number | null; function: string; cert_type: string }
export interface Special { case: string; justification?: string; delegator?: Unit }
export interface Form {
  business: string;
  kind: string;
  unit: Unit;
  person?: Person;
  agent: Agent;
  seal: Seal;
  impression?: string;
  csr?: string;
  material?: string;
  target?: string;
  special?: Special[];
}
export interface Row {
  unit_name: string; uscc: string; kind: string; seal_name: string; function: string;
  cert_type: string; width_mm?: number; height_mm?: number; person_name?: string; target?: string;
}
export interface Doc {
  business: string;
  channel: string;
  aggregator?: string;
  applicant: Unit;
  letter: { material?: string; number: string; addressee: string; business: string; form_count: number; kinds: Record<string, number> };
  summary_table?: { material?: string; rows: Row[] };
  forms: Form[];
}

/* The platform operator the letter is addressed to (the guide's 收文单位). */
export const ADDRESSEE = '福建省经济信息中心';
/* Province-level units submit directly (docs/issuer-domain.md channel_match). */
export const PROVINCE = '350000';

const unit = (u?: Partial<Unit>): Unit => ({ name: u?.name ?? '', uscc: u?.uscc ?? '', city: u?.city ?? '', county: u?.county ?? '' });

export function blankForm(doc: Doc): Form {
  const prev = doc.forms[doc.forms.length - 1];
  return {
    business: doc.business,
    kind: 'unit',
    unit: unit(doc.applicant),
    agent: prev ? { ...prev.agent } : { name: '', mobile: '', id_number: '' },
    seal: { name: '', width_mm: null, height_mm: null, function: '', cert_type: 'usb_key' },
  };
}

export function blankDoc(applicant?: Partial<Unit>): Doc {
  const d: Doc = {
    business: 'apply',
    channel: '',
    applicant: unit(applicant),
    letter: { number: '', addressee: ADDRESSEE, business: 'apply', form_count: 1, kinds: {} },
    forms: [],
  };
  d.forms.push(blankForm(d));
  return derive(d);
}

/* fromServer fills what an older or partial draft leaves out. */
export function fromServer(raw: Record<string, any>): Doc {
  const d = blankDoc(raw.applicant);
  Object.assign(d, raw);
  d.applicant = unit(raw.applicant);
  d.letter = { ...blankDoc().letter, ...(raw.letter ?? {}) };
  d.forms = ((raw.forms ?? []) as Record<string, any>[]).map((f) => ({
    ...f,
    business: f.business ?? d.business,
    kind: f.kind ?? 'unit',
    unit: unit(f.unit),
    agent: { name: '', mobile: '', id_number: '', ...(f.agent ?? {}) },
    seal: { name: '', width_mm: null, height_mm: null, function: '', cert_type: '', ...(f.seal ?? {}) },
  })) as Form[];
  if (!d.forms.length) d.forms.push(blankForm(d));
  return derive(d);
}

/* set and drop change |o| only when the value differs: the page re-derives
 * on every edit, and an equal value must not count as an edit. */
function set(o: object, k: string, v: unknown): void {
  const r = o as Record<string, unknown>;
  if (JSON.stringify(r[k]) !== JSON.stringify(v)) r[k] = v;
}
function drop(o: object, k: string): void {
  if (k in o) delete (o as Record<string, unknown>)[k];
}

/* derive sets what follows from the rest (in place) and returns |d|. */
export function derive(d: Doc): Doc {
  set(d.letter, 'business', d.business);
  set(d.letter, 'form_count', d.forms.length);
  const kinds: Record<string, number> = {};
  for (const f of d.forms) {
    set(f, 'business', d.business);
    kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    if (f.kind === 'personal') {
      if (!f.person) f.person = { name: '', id_number: '' };
    } else drop(f, 'person');
    if (f.kind !== 'device') drop(f, 'csr');
    if (f.special && !f.special.length) drop(f, 'special');
    for (const sp of f.special ?? []) {
      if (sp.case === 'delegated_use') {
        if (!sp.delegator) sp.delegator = unit();
      } else drop(sp, 'delegator');
    }
    set(f, 'unit', { ...d.applicant }); // the applicant is the stamping unit (the guide)
  }
  set(d.letter, 'kinds', kinds);
  const city = d.applicant.city;
  set(d, 'channel', city === PROVINCE ? 'direct' : city ? 'aggregator' : '');
  if (d.channel === 'aggregator') set(d, 'aggregator', city);
  else drop(d, 'aggregator');
  if (d.forms.length > 1) set(d, 'summary_table', { material: d.summary_table?.material, rows: d.forms.map(row) });
  else drop(d, 'summary_table');
  return d;
}

export function row(f: Form): Row {
  const r: Row = {
    unit_name: f.unit.name, uscc: f.unit.uscc, kind: f.kind, seal_name: f.seal.name,
    function: f.seal.function, cert_type: f.seal.cert_type,
  };
  if (f.seal.width_mm != null) r.width_mm = f.seal.width_mm;
  if (f.seal.height_mm != null) r.height_mm = f.seal.height_mm;
  if (f.kind === 'personal' && f.person) r.person_name = f.person.name;
  if (f.target) r.target = f.target;
  return r;
}

/* wire is the document as the issuer takes it: an empty field is left out
 * (the issuer reads a missing field as missing, but an empty choice or
 * reference as a malformed one), and nothing is null. */
export function wire(d: Doc): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(derive(JSON.parse(JSON.stringify(d)) as Doc), (_k, v) => (v === null || v === '' ? undefined : v)),
  );
}
