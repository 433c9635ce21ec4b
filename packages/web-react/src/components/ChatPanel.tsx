import type { ChatEntry } from '@peerchart/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';

export function ChatPanel({ chat, canSend, onSend }: { chat: ChatEntry[]; canSend: boolean; onSend: (text: string) => void }) {
  const [draft, setDraft] = useState('');
  const log = useRef<HTMLOListElement>(null);

  // Keep the newest message in sight.
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [chat.length]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (text === '') return;
    onSend(text);
    setDraft('');
  };

  return (
    <section className="pc-chat" aria-label="Chat">
      <h2>Chat</h2>
      <ol ref={log} data-testid="chat-log" aria-live="polite">
        {chat.map((m) => (
          <li key={m.id} data-testid="chat-message" data-self={m.self}>
            <span className="pc-from">{m.self ? 'You' : m.fromName}:</span> {m.text}
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="chat-input"
          aria-label="Message"
          autoComplete="off"
          placeholder={canSend ? 'Say something' : 'Waiting for someone to join'}
        />
        <button type="submit" disabled={!canSend}>
          Send
        </button>
      </form>
    </section>
  );
}
