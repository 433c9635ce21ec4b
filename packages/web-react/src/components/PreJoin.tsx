import type { RoomView } from '@peerchart/core';
import { LocalVideo } from '@peerchart/react';
import { useState, type FormEvent } from 'react';
import type { DevicePicker } from '../../../web-shared/src/index';
import { DevicePickers } from './DevicePickers';

/** The pre-join screen. The room is already getting ready behind it (autoJoin: false): camera, microphone, signaling. */
export function PreJoin(props: { view: RoomView; speaker: string; onPick: (picker: DevicePicker, deviceId: string) => void; onJoin: (name: string) => void }) {
  const { view } = props;
  const [name, setName] = useState(view.selfName);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onJoin(name);
  };

  return (
    <section className="pc-prejoin" aria-label="Before joining">
      <LocalVideo data-testid="prejoin-video" stream={view.local.stream} />
      <form className="pc-prejoin-form" onSubmit={submit}>
        <DevicePickers local={view.local} speaker={props.speaker} onPick={props.onPick} />
        {view.local.hasAudio && (
          <label className="pc-picker">
            Microphone level <meter data-testid="mic-level" min={0} max={1} value={view.local.audioLevel} />
          </label>
        )}
        <label>
          Your name <input value={name} onChange={(e) => setName(e.target.value)} name="name" maxLength={64} autoComplete="nickname" />
        </label>
        <button type="submit">Join</button>
      </form>
    </section>
  );
}
