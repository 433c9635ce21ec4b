/**
 * The two fresh apps the tarball test writes outside the workspace, file by file, as a developer
 * would after reading the packages' READMEs: a Vite React app on @peerchart/react and a Vite Vue app
 * on @peerchart/vue, each a room with a local preview, one <video> per remote peer, and the data API
 * (`DATA.SEND` out, `useRoomData` in). What the test reads: `#status` (view.status), `video[data-peer]` (one per
 * remote peer), `#data li` (each data message received, as JSON), `#message` + `#send-data` (the text as
 * `{ from, text }` to every peer).
 */

/** Same origin as the page: the signaling server serves the built app and its WebSocket at /ws. */
const signalingUrlSource = "`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`";

const indexHtml = (title: string, entry: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>${title}</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="${entry}"></script>
  </body>
</html>
`;

export interface AppFiles {
  /** Relative path → content. */
  files: Record<string, string>;
  dependencies: string[];
  devDependencies: string[];
}

export const reactApp: AppFiles = {
  dependencies: ['@peerchart/core', '@peerchart/react', 'xstate', '@xstate/react', 'react', 'react-dom'],
  devDependencies: ['vite', '@vitejs/plugin-react', 'typescript', '@types/react', '@types/react-dom'],
  files: {
    'index.html': indexHtml('Peerchart React app', '/src/main.tsx'),
    'vite.config.ts': `import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({ base: './', plugins: [react()] });
`,
    'tsconfig.json': JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          module: 'ESNext',
          moduleResolution: 'bundler',
          jsx: 'react-jsx',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['src'],
      },
      null,
      2,
    ),
    'src/main.tsx': `import { LocalVideo, PeerVideo, useRoom, useRoomData } from '@peerchart/react';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

const params = new URLSearchParams(location.search);

function App() {
  const { view, send, actor } = useRoom({
    signalingUrl: ${signalingUrlSource},
    room: params.get('room') ?? 'demo',
    name: params.get('name') ?? 'React',
  });
  const [text, setText] = useState('');
  const [received, setReceived] = useState<string[]>([]);
  useRoomData(actor, ({ data }) => setReceived((lines) => [...lines, JSON.stringify(data)]));
  if (!view) return null;
  return (
    <main>
      <p id="status">{view.status}</p>
      <LocalVideo stream={view.local.stream} />
      {view.peers.map((peer) => (
        <PeerVideo key={peer.id} data-peer={peer.id} stream={peer.stream} />
      ))}
      <input id="message" value={text} onChange={(event) => setText(event.target.value)} />
      <button id="send-data" onClick={() => send({ type: 'DATA.SEND', data: { from: view.selfName, text } })}>Send data</button>
      <ul id="data">
        {received.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
    </main>
  );
}

createRoot(document.getElementById('app')!).render(<App />);
`,
  },
};

export const vueApp: AppFiles = {
  dependencies: ['@peerchart/core', '@peerchart/vue', 'xstate', '@xstate/vue', 'vue'],
  devDependencies: ['vite', '@vitejs/plugin-vue'],
  files: {
    'index.html': indexHtml('Peerchart Vue app', '/src/main.ts'),
    'vite.config.ts': `import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({ base: './', plugins: [vue()] });
`,
    'src/main.ts': `import { LocalVideo, PeerVideo, useRoom, useRoomData } from '@peerchart/vue';
import { createApp, defineComponent, h, ref } from 'vue';

const params = new URLSearchParams(location.search);

const App = defineComponent({
  setup() {
    const { view, send, actor } = useRoom({
      signalingUrl: ${signalingUrlSource},
      room: params.get('room') ?? 'demo',
      name: params.get('name') ?? 'Vue',
    });
    const text = ref('');
    const received = ref<string[]>([]);
    useRoomData(actor, ({ data }) => received.value.push(JSON.stringify(data)));
    return () =>
      h('main', [
        h('p', { id: 'status' }, view.value.status),
        h(LocalVideo, { stream: view.value.local.stream }),
        ...view.value.peers.map((peer) => h(PeerVideo, { key: peer.id, 'data-peer': peer.id, stream: peer.stream })),
        h('input', { id: 'message', value: text.value, onInput: (event: Event) => (text.value = (event.target as HTMLInputElement).value) }),
        h('button', { id: 'send-data', onClick: () => send({ type: 'DATA.SEND', data: { from: view.value.selfName, text: text.value } }) }, 'Send data'),
        h('ul', { id: 'data' }, received.value.map((line, index) => h('li', { key: index }, line))),
      ]);
  },
});

createApp(App).mount('#app');
`,
  },
};
