import { describe, expect, it } from 'vitest';
import { callHref, readCallOptions, withName } from './call-options.js';

describe('readCallOptions', () => {
  it('shows the lobby without a room and signals through the same origin', () => {
    expect(readCallOptions('http://localhost:8080/vue/')).toEqual({
      room: null,
      name: '',
      signalingUrl: 'ws://localhost:8080/ws',
      join: false,
      receiveOnly: false,
      relay: false,
      inspect: false,
    });
  });

  it('reads room, name and switches, and uses wss on https pages', () => {
    const options = readCallOptions('https://example.org/react/?room=%20standup%20&name=Ada&receiveOnly&inspect=1&join');
    expect(options).toMatchObject({ room: 'standup', name: 'Ada', join: true, receiveOnly: true, inspect: true });
    expect(options.signalingUrl).toBe('wss://example.org/ws');
  });

  it('lets ?signal override the endpoint and treats =0 / =false as off', () => {
    const options = readCallOptions('http://a.test/?room=r&signal=ws://b.test:9/ws&receiveOnly=0&inspect=false&relay=0');
    expect(options).toMatchObject({ signalingUrl: 'ws://b.test:9/ws', receiveOnly: false, inspect: false, relay: false });
    expect(readCallOptions('http://a.test/?room=r&relay').relay).toBe(true);
  });
});

describe('callHref', () => {
  it('sets room and name, drops an empty name and keeps other switches', () => {
    expect(callHref('http://h/vue/?inspect&name=old', { room: 'daily', name: '  ', receiveOnly: false })).toBe(
      'http://h/vue/?inspect=&room=daily',
    );
    const href = callHref('http://h/vue/', { room: 'a b', name: 'Grace', receiveOnly: true });
    expect(readCallOptions(href)).toMatchObject({ room: 'a b', name: 'Grace', receiveOnly: true });
  });
});

describe('withName', () => {
  it('sets the name the pre-join screen joined with, drops a blank one, keeps the rest', () => {
    expect(withName('http://h/vue/?room=r&name=Ada&relay', ' Ada L ')).toBe('http://h/vue/?room=r&name=Ada+L&relay=');
    expect(readCallOptions(withName('http://h/vue/?room=r&name=Ada', '  '))).toMatchObject({ room: 'r', name: '' });
  });
});
