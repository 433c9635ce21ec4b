import { commandForAction, type RecoveryAction, type RoomCommand, type ViewError } from '@peerchart/core';

/** A button offered with an error: what it says and the command it sends. */
export interface RecoveryButton {
  action: RecoveryAction;
  label: string;
  command: RoomCommand;
}

const LABELS: Record<RecoveryAction, string> = {
  retry: 'Retry',
  'receive-only': 'Join without camera and microphone',
  'audio-only': 'Join with microphone only',
  rejoin: 'Rejoin',
  redial: 'Redial',
  dismiss: 'Dismiss',
};

/** One button per way forward, in the order core offers them; core decides what each sends. */
export function recoveryButtons(error: ViewError): RecoveryButton[] {
  return error.actions.map((action) => ({ action, label: LABELS[action], command: commandForAction(action, error) }));
}

/** Whole seconds left until `nextRetryAt` (never negative), for the reconnect countdown. */
export function secondsUntil(nextRetryAt: number, now: number): number {
  return Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
}
