import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import '../style.css';
import PortalApp from './PortalApp.vue';
import { router } from './router';

createApp(PortalApp).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
