// notices.ts — the unread count in the portal's menu, refreshed on every
// page change and when a notice is read.
import { reactive } from 'vue';
import { get } from '../api';

export const notices = reactive({ unread: 0 });

export async function refreshUnread(): Promise<void> {
  try {
    notices.unread = (await get<{ notifications: unknown[] }>('/api/v1/notifications?unread=1')).notifications.length;
  } catch {
    /* the menu keeps the last count; the page shows its own error */
  }
}
