/**
 * Per-call timestamps on one page, on a clock shared by all pages of the browser
 * (`performance.timeOrigin + performance.now()`), read by the runner through `window.bench`.
 */
/** `pc`: the first RTCPeerConnection of the call was created (shows how long signaling took before negotiation). */
export type MarkName = 'call' | 'pc' | 'connected' | 'frame';

export const now = () => performance.timeOrigin + performance.now();

/** What a page reports for one call: the headline marks, and every handshake step it saw (`--steps`). */
export type MarkSnapshot = Partial<Record<MarkName, number>> & { steps?: Record<string, number> };

class Marks {
  private values: Partial<Record<MarkName, number>> = {};
  private steps: Record<string, number> = {};
  /** Records the first occurrence of a mark in the current call. */
  mark(name: MarkName): void {
    this.values[name] ??= now();
  }
  /** Records the first occurrence of a handshake step (see instrument.ts and the steps table). */
  step(name: string): void {
    this.steps[name] ??= now();
  }
  reset(): void {
    this.values = {};
    this.steps = {};
  }
  snapshot(): MarkSnapshot {
    return { ...this.values, steps: { ...this.steps } };
  }
}

export const marks = new Marks();

/** Shows a remote stream in a fresh <video> and marks its first decoded frame. */
export function showRemote(stream: MediaStream): void {
  if (document.querySelector('video[data-remote]')?.getAttribute('data-stream') === stream.id) return;
  document.querySelector('video[data-remote]')?.remove();
  const video = document.createElement('video');
  video.dataset.remote = '';
  video.dataset.stream = stream.id;
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.requestVideoFrameCallback(() => {
    marks.mark('frame');
    marks.step('first frame');
  });
  video.srcObject = stream;
  document.body.append(video);
}

export function removeRemote(): void {
  document.querySelector('video[data-remote]')?.remove();
}

export async function localMedia(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
}

/** What every contender page exposes to the runner. */
export interface BenchPage {
  /** Connect to signaling and acquire local media: everything a call needs before "call". */
  setup(options: Record<string, unknown>): Promise<void>;
  /** Get ready to be called (callee side, untimed). */
  listen(): Promise<void>;
  /** Start a call to the other page (caller side). */
  call(callNo: number): Promise<void>;
  /** Tear the current call down and get ready for the next one. */
  hangup(): Promise<void>;
  marks(): MarkSnapshot;
  /** Errors the library reported (as text), for the runner's log. */
  errors: string[];
}

declare global {
  interface Window {
    bench: BenchPage;
  }
}

export function expose(page: Omit<BenchPage, 'marks' | 'errors' | 'listen'> & Partial<Pick<BenchPage, 'listen'>>, errors: string[] = []): void {
  window.bench = { listen: async () => undefined, ...page, marks: () => marks.snapshot(), errors };
  window.addEventListener('error', (event) => errors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
}
