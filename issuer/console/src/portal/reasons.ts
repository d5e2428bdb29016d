// reasons.ts — a reviewer's rejection reasons put beside the fields they
// concern. A reason picked from the catalog's list (rejection_reasons) reads
// as that entry's text; its key says which fields it is about. Free text
// stays with the submission as a whole.
import { list } from '../catalog';
import type { Finding } from '../findings';

const FIELDS: Record<string, (forms: number) => string[]> = {
  letter_not_red_header: () => ['letter.material'],
  letter_mismatch: () => ['letter.kinds'],
  letter_addressee: () => ['letter.addressee'],
  summary_mismatch: () => ['summary_table'],
  uscc_wrong: () => ['applicant.uscc'],
  id_number_wrong: (n) => each(n, ['agent.id_number', 'person.id_number']),
  seal_size_wrong: (n) => each(n, ['seal.width_mm']),
  seal_name_wrong: (n) => each(n, ['seal.name']),
  impression_unclear: (n) => each(n, ['impression']),
  unit_seal_missing: (n) => ['letter.material', ...each(n, ['material'])],
  leader_signature_missing: (n) => each(n, ['material']),
  altered: (n) => ['letter.material', ...each(n, ['material'])],
  target_seal_wrong: (n) => each(n, ['target']),
  wrong_channel: () => ['applicant.city'],
};

function each(n: number, fields: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) for (const f of fields) out.push(`forms[${i}].${f}`);
  return out;
}

/* placed returns a finding per field a reason concerns, or one without a
 * field for a reason the list does not name. */
export function placed(reasons: string[], forms: number): Finding[] {
  const known = list('rejection_reasons');
  const out: Finding[] = [];
  for (const r of reasons) {
    const e = known.find((k) => r === (k.raw.text as string) || r === k.zh || r.startsWith(k.zh));
    const paths = e && FIELDS[e.key] ? FIELDS[e.key](forms) : [];
    if (!paths.length) out.push({ rule: 'rejection', severity: 'rejected', message: r });
    for (const p of paths) out.push({ rule: 'rejection', severity: 'rejected', path: p, message: r });
  }
  return out;
}
