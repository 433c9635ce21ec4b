import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';

/** Renders `element` synchronously into a fresh container in the document; returns the container and its root. */
export function mountInto(element: React.ReactNode): { container: HTMLElement; root: Root } {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  flushSync(() => root.render(element));
  return { container, root };
}
