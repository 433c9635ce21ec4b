import { createRoot } from 'react-dom/client';
import '../../web-shared/src/shell.css';
import { App } from './App';

const container = document.getElementById('app');
if (container) createRoot(container).render(<App />);
