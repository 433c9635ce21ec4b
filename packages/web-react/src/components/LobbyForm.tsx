import { useState, type FormEvent } from 'react';
import type { LobbyChoice } from '../../../web-shared/src/index';

/** The lobby. Continue leads to the pre-join screen (or straight into the call when receive-only: nothing to preview). */
export function LobbyForm(props: LobbyChoice & { onContinue: (choice: LobbyChoice) => void }) {
  const [room, setRoom] = useState(props.room);
  const [name, setName] = useState(props.name);
  const [receiveOnly, setReceiveOnly] = useState(props.receiveOnly);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (room.trim() !== '') props.onContinue({ room, name, receiveOnly });
  };

  return (
    <form className="pc-lobby" aria-label="Join a call" onSubmit={submit}>
      <h1>Peerchart</h1>
      <label>
        Room <input value={room} onChange={(e) => setRoom(e.target.value)} name="room" required autoComplete="off" />
      </label>
      <label>
        Your name <input value={name} onChange={(e) => setName(e.target.value)} name="name" maxLength={64} autoComplete="nickname" />
      </label>
      <label className="pc-check">
        <input checked={receiveOnly} onChange={(e) => setReceiveOnly(e.target.checked)} type="checkbox" name="receiveOnly" />
        {' Join without camera and microphone'}
      </label>
      <button type="submit">Continue</button>
    </form>
  );
}
