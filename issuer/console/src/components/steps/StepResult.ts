// StepResult.ts — what every step form does with the issuer's answer: on
// success tell the page to reload, on a refusal show the issuer's own words
// (Chinese first) and, for a rule refusal, each finding.
import { ElMessage } from 'element-plus';
import { ApiError, message } from '../../api';
import { type Finding, text } from '../../findings';

export function refusal(e: unknown): string {
  if (e instanceof ApiError) {
    const fs = (e.body.findings as { findings?: Finding[] } | undefined)?.findings ?? [];
    const lines = fs.filter((f) => f.severity === 'error').map(text);
    return [e.message, ...lines].join('\n');
  }
  return message(e);
}

export function done(what: string): void {
  ElMessage.success({ message: `${what}成功 / done`, duration: 2500 });
}
