/**
 * PeerVideo / LocalVideo in happy-dom: what a browser's `<video>` is given (srcObject, autoplay,
 * playsinline, muted), and the autoplay policy played by a stand-in for `HTMLMediaElement.play`
 * (happy-dom plays nothing): with sound, it refuses until a user gesture, as Chromium does.
 */
import { useState } from 'react';
import { flushSync } from 'react-dom';
import type { Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalVideo, PeerVideo } from './video.js';
import { mountInto } from './test-support/mount.js';

let root: Root | null = null;
let userActivated = false;
const plays: Array<{ muted: boolean; allowed: boolean }> = [];

function mount(element: React.ReactNode): HTMLElement {
  const mounted = mountInto(element);
  root = mounted.root;
  return mounted.container;
}

/** Resolves once pending promise reactions (play() and its fallback) have run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  userActivated = false;
  plays.length = 0;
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    const allowed = this.muted || userActivated;
    plays.push({ muted: this.muted, allowed });
    return allowed ? Promise.resolve() : Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
  });
});
afterEach(() => {
  root?.unmount();
  root = null;
  vi.restoreAllMocks();
});

describe('PeerVideo', () => {
  it('sets srcObject once per stream, whatever re-renders', async () => {
    const assigned: unknown[] = [];
    const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
    vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'set').mockImplementation(function (this: HTMLMediaElement, value) {
      assigned.push(value);
      descriptor.set!.call(this, value);
    });
    const first = new MediaStream();
    const second = new MediaStream();
    let rerender: (n: number) => void = () => {};
    function Tile({ stream }: { stream: MediaStream }) {
      const [count, setCount] = useState(0);
      rerender = setCount;
      return <PeerVideo stream={stream} data-count={count} className="tile" />;
    }
    const container = mount(<Tile stream={first} />);
    for (let i = 1; i <= 5; i++) flushSync(() => rerender(i));
    const video = container.querySelector('video')!;
    expect(video.dataset.count).toBe('5');
    expect(video.className).toBe('tile');
    expect(video.srcObject).toBe(first);
    expect(assigned).toEqual([first]);

    flushSync(() => root?.render(<Tile stream={second} />));
    expect(video.srcObject).toBe(second);
    expect(assigned).toEqual([first, second]);
    expect(container.querySelectorAll('video')).toHaveLength(1); // the same element, not a new one
  });

  it('plays with sound, autoplay and playsinline when the browser allows it', async () => {
    userActivated = true;
    const container = mount(<PeerVideo stream={new MediaStream()} />);
    await vi.waitFor(() => expect(plays).toEqual([{ muted: false, allowed: true }]));
    const video = container.querySelector('video')!;
    expect(video.hasAttribute('autoplay')).toBe(true);
    expect(video.hasAttribute('playsinline')).toBe(true);
    expect(video.muted).toBe(false);
    expect(video.hasAttribute('muted')).toBe(false);
    expect(plays).toEqual([{ muted: false, allowed: true }]);
    expect(container.querySelector('button')).toBeNull();
  });

  it('falls back to muted playback when autoplay with sound is refused, and a click turns the sound on', async () => {
    const container = mount(<PeerVideo stream={new MediaStream()} unmuteLabel="Sound on" />);
    // The refused play is retried muted, and the button appears.
    await vi.waitFor(() => {
      expect(plays).toHaveLength(2);
      expect(container.querySelector('button')).not.toBeNull();
    });
    const video = container.querySelector('video')!;
    expect(plays).toEqual([
      { muted: false, allowed: false },
      { muted: true, allowed: true },
    ]);
    expect(video.muted).toBe(true);
    const button = container.querySelector('button')!;
    expect(button.textContent).toBe('Sound on');

    userActivated = true; // the click is the gesture
    flushSync(() => button.click());
    await vi.waitFor(() => {
      expect(video.muted).toBe(false);
      expect(plays.at(-1)).toEqual({ muted: false, allowed: true });
      expect(container.querySelector('button')).toBeNull();
    });
  });

  it('a muted PeerVideo (a screen share) never offers sound', async () => {
    const container = mount(<PeerVideo stream={new MediaStream()} muted />);
    await vi.waitFor(() => expect(plays).toEqual([{ muted: true, allowed: true }]));
    expect(container.querySelector('video')?.muted).toBe(true);
    expect(container.querySelector('button')).toBeNull();
  });

  it('plays on the chosen speaker with setSinkId, and again when it changes', async () => {
    const sinks: string[] = [];
    const original = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'setSinkId');
    const setSinkId = function (this: HTMLMediaElement, id: string) {
      sinks.push(id);
      Object.defineProperty(this, 'sinkId', { value: id, configurable: true });
      return Promise.resolve();
    };
    Object.defineProperty(HTMLMediaElement.prototype, 'setSinkId', { value: setSinkId, configurable: true, writable: true });
    function Speaker() {
      const [sinkId, setSink] = useState('headphones');
      return (
        <>
          <PeerVideo stream={new MediaStream()} sinkId={sinkId} />
          <button type="button" onClick={() => setSink('speakers')}>
            other
          </button>
        </>
      );
    }
    const container = mount(<Speaker />);
    await vi.waitFor(() => expect(sinks).toEqual(['headphones']));
    const other = [...container.querySelectorAll('button')].find((button) => button.textContent === 'other');
    flushSync(() => other?.click());
    await vi.waitFor(() => expect(sinks).toEqual(['headphones', 'speakers']));
    if (original) Object.defineProperty(HTMLMediaElement.prototype, 'setSinkId', original);
    else Reflect.deleteProperty(HTMLMediaElement.prototype, 'setSinkId');
  });

  it('attaches nothing and plays nothing without a stream', async () => {
    const container = mount(<PeerVideo stream={null} />);
    await settle(); // nothing may happen: a play would have started by the next macrotask
    expect(container.querySelector('video')?.srcObject).toBeNull();
    expect(plays).toEqual([]);
  });
});

describe('LocalVideo', () => {
  it('is muted (attribute and property), autoplay, playsinline, with the stream attached', async () => {
    const stream = new MediaStream();
    const container = mount(<LocalVideo stream={stream} data-testid="local-video" />);
    await vi.waitFor(() => expect(plays).toEqual([{ muted: true, allowed: true }]));
    const video = container.querySelector('video')!;
    expect(video.dataset.testid).toBe('local-video');
    expect(video.srcObject).toBe(stream);
    expect(video.muted).toBe(true);
    expect(video.hasAttribute('muted')).toBe(true);
    expect(video.hasAttribute('autoplay')).toBe(true);
    expect(video.hasAttribute('playsinline')).toBe(true);
    expect(plays).toEqual([{ muted: true, allowed: true }]);
  });
});
