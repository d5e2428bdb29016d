// router.ts — the console's pages. History mode under /console/: the
// issuer answers index.html for any path below it that is not a file.
import { createRouter, createWebHistory } from 'vue-router';
import { onLoggedOut } from './api';
import { forget, session, whoami } from './session';
import Login from './views/Login.vue';
import Home from './views/Home.vue';
import Submission from './views/Submission.vue';
import Seals from './views/Seals.vue';
import Seal from './views/Seal.vue';
import Admin from './views/Admin.vue';

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/login', component: Login, meta: { title: '登录', public: true } },
    { path: '/', component: Home, meta: { title: '工作台' } },
    { path: '/submissions/:id', component: Submission, props: true, meta: { title: '申请详情' } },
    { path: '/seals', component: Seals, meta: { title: '印章查询' } },
    { path: '/seals/:esid', component: Seal, props: true, meta: { title: '印章详情' } },
    { path: '/admin', component: Admin, meta: { title: '系统管理', roles: ['admin'] } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.checked) await whoami();
  if (to.meta.public) return true;
  if (!session.who) return { path: '/login', query: { next: to.fullPath } };
  const roles = to.meta.roles as string[] | undefined;
  if (roles && !roles.includes(session.who.role)) return '/';
  return true;
});
router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 印章管理工作台`;
});

onLoggedOut(() => {
  forget();
  if (router.currentRoute.value.path !== '/login')
    void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath, expired: '1' } });
});
