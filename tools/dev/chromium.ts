/**
 * Debian's Chromium as every browser test and benchmark here launches it (no browser download
 * works on these machines; `ensure-system-deps.mjs` installs or finds it).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fake camera and microphone, no GPU, and none of the background traffic a closed network refuses. */
export const CHROMIUM_BASE_FLAGS: readonly string[] = [
  '--use-fake-device-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Grants camera/microphone (and screen capture) without a prompt; leave it out to test a real denial. */
export const FAKE_MEDIA_UI_FLAG = '--use-fake-ui-for-media-stream';
