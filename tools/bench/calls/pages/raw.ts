/** Lower bound: a hand-written RTCPeerConnection call with media only (raw-call.ts). */
import { startRawCall } from './raw-call.js';

startRawCall({ dataChannel: false });
