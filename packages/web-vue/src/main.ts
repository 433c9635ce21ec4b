import { createApp } from 'vue';
import '../../web-shared/src/shell.css';
import App from './App.vue';

createApp(App).mount('#app');
