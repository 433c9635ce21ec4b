/**
 * Loaded first on every benchmark page, before any library: observes every RTCPeerConnection the
 * library creates (a subclass installed on window), so "connected" means the same thing for all
 * contenders — `connectionState` reaching `connected` — without reaching into library internals.
 */
import { marks } from './marks.js';

const Native = window.RTCPeerConnection;

class ObservedPeerConnection extends Native {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    marks.mark('pc');
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'connected') marks.mark('connected');
    });
  }
}

window.RTCPeerConnection = ObservedPeerConnection;
