/** The lower bound plus one negotiated data channel in the first offer (raw-call.ts). */
import { startRawCall } from './raw-call.js';

startRawCall({ dataChannel: true });
