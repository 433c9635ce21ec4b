import type { ChatEntry } from '../../../web-shared/src/index';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

/** `messages`: the chat's log (web-shared's `startChat`); `files`: the file transfers, shown below the messages; `onSendFile`: a file picked with "Send file". */
export function ChatPanel({
  messages,
  canSend,
  onSend,
  onSendFile,
  files,
}: {
  messages: ChatEntry[];
  canSend: boolean;
  onSend: (text: string) => void;
  onSendFile: (file: File) => void;
  files: ReactNode;
}) {
  const [draft, setDraft] = useState('');
  const log = useRef<HTMLOListElement>(null);

  // Keep the newest message in sight (a new log on each message, also once it is full and its length stays).
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages]);

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
        {messages.map((m) => (
          <li key={m.id} data-testid="chat-message" data-self={m.self}>
            <span className="pc-from">{m.self ? 'You' : m.fromName}:</span> {m.text}
          </li>
        ))}
      </ol>
      {files}
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
        <label className="pc-file">
          Send file
          <input
            type="file"
            data-testid="file-input"
            disabled={!canSend}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) onSendFile(file);
              e.target.value = ''; // the same file may be sent again
            }}
          />
        </label>
      </form>
    </section>
  );
}
