// router.ts — the portal's pages, under /portal/ (the issuer answers
// portal.html for any path below it). Only applicants' accounts use it: a
// staff account is sent to the console.
import { createRouter, createWebHistory } from 'vue-router';
import { onLoggedOut } from '../api';
import { forget, session, whoami } from '../session';
import Login from '../views/Login.vue';
import Home from './views/Home.vue';
import Edit from './views/Edit.vue';
import View from './views/View.vue';
import Seals from './views/Seals.vue';
import Notices from './views/Notices.vue';
import Account from './views/Account.vue';
import Batches from './views/Batches.vue';

export const APPLICANTS = ['agent', 'aggregator'];

export const router = createRouter({
  history: createWebHistory('/portal/'),
  routes: [
    { path: '/login', component: Login, props: { portal: true }, meta: { title: '登录', public: true } },
    { path: '/', component: Home, meta: { title: '我的申请' } },
    { path: '/new', component: Edit, meta: { title: '填写申请', view: 'edit' } },
    { path: '/submissions/:id', component: View, props: true, meta: { title: '申请详情' } },
    { path: '/submissions/:id/edit', component: Edit, props: true, meta: { title: '修改申请', view: 'edit' } },
    { path: '/seals', component: Seals, meta: { title: '本单位印章' } },
    { path: '/notices', component: Notices, meta: { title: '消息' } },
    { path: '/batches', component: Batches, meta: { title: '批量报送', roles: ['aggregator'] } },
    { path: '/account', component: Account, meta: { title: '账户' } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.checked) await whoami();
  if (to.meta.public) return true;
  if (!session.who) return { path: '/login', query: { next: to.fullPath } };
  if (!APPLICANTS.includes(session.who.role)) {
    window.location.assign('/console/');
    return false;
  }
  const roles = to.meta.roles as string[] | undefined;
  if (roles && !roles.includes(session.who.role)) return '/';
  return true;
});
router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 网上申请`;
});

onLoggedOut(() => {
  forget();
  if (router.currentRoute.value.path !== '/login')
    void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath, expired: '1' } });
});
