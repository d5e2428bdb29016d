// StepResult.ts — what every step form does with the issuer's answer: on
// success tell the page to reload, on a refusal show the issuer's own words
// (Chinese first) and, for a rule refusal, each finding.
import { ref } from 'vue';
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

/* useStep is a step form's call to the issuer: busy while it runs, the
 * refusal in |problem|, "done" and |changed| on success. */
export function useStep(changed: () => void) {
  const busy = ref(false);
  const problem = ref('');
  async function run(what: string, call: () => Promise<unknown>): Promise<void> {
    busy.value = true;
    problem.value = '';
    try {
      await call();
      done(what);
      changed();
    } catch (e) {
      problem.value = refusal(e);
    } finally {
      busy.value = false;
    }
  }
  return { busy, problem, run };
}
