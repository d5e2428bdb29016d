// menu.ts — an entry of the side menu (components/Shell.vue).
import type { Component } from 'vue';

export interface MenuItem {
  index: string;
  label: string;
  icon: Component;
  badge?: number;
  test?: string;
}
