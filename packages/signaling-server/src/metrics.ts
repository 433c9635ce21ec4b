import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a drop is counted under: the error code the sender got, or a loss the sender is not told about. */
export type DropReason = string;

/** Observe relay latency for one frame in this many (timing every frame costs more than it tells). */
export const LATENCY_SAMPLE_EVERY = 16;

/**
 * Prometheus metrics on a per-app Registry (tests build many apps). The hot path bumps plain
 * numbers; counters copy them into prom-client only when /metrics is scraped.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly messageCounts = new Map<string, number>();
  private readonly dropCounts = new Map<string, number>();
  private readonly closeCounts = new Map<string, number>();
  private readonly latency: Histogram;
  readonly upgradesRejected: Counter<'reason'>;
  connectionsOpened = 0;

  constructor(state: { connections: () => number; rooms: () => number; awayPeers: () => number }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const fromCounts = (label: string, counts: Map<string, number>) =>
      function (this: Counter<string>) {
        this.reset();
        for (const [value, count] of counts) this.inc({ [label]: value }, count);
      };
    new Gauge({ name: 'peerchart_connections', help: 'Open WebSocket connections', registers, collect() { this.set(state.connections()); } });
    new Gauge({ name: 'peerchart_rooms', help: 'Non-empty rooms', registers, collect() { this.set(state.rooms()); } });
    new Gauge({ name: 'peerchart_away_peers', help: 'Identities waiting for a resume', registers, collect() { this.set(state.awayPeers()); } });
    const opened = () => this.connectionsOpened;
    new Counter({ name: 'peerchart_connections_total', help: 'WebSocket connections accepted', registers, collect() { this.reset(); this.inc(opened()); } });
    new Counter({ name: 'peerchart_messages_total', help: 'Valid client messages by type', labelNames: ['type'], registers, collect: fromCounts('type', this.messageCounts) });
    new Counter({ name: 'peerchart_drops_total', help: 'Frames refused or messages lost, by reason', labelNames: ['reason'], registers, collect: fromCounts('reason', this.dropCounts) });
    new Counter({ name: 'peerchart_closes_total', help: 'WebSocket closes by close code', labelNames: ['code'], registers, collect: fromCounts('code', this.closeCounts) });
    this.upgradesRejected = new Counter({ name: 'peerchart_upgrades_rejected_total', help: 'Upgrades refused before the handshake', labelNames: ['reason'], registers });
    this.latency = new Histogram({
      name: 'peerchart_relay_latency_seconds',
      help: `Frame receipt to send of a relayed message (sampled 1 in ${LATENCY_SAMPLE_EVERY})`,
      buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
  }

  message(type: string): void {
    this.messageCounts.set(type, (this.messageCounts.get(type) ?? 0) + 1);
  }

  drop(reason: DropReason, count = 1): void {
    this.dropCounts.set(reason, (this.dropCounts.get(reason) ?? 0) + count);
  }

  closed(code: number): void {
    const key = String(code);
    this.closeCounts.set(key, (this.closeCounts.get(key) ?? 0) + 1);
  }

  relayLatency(startedAt: number): void {
    this.latency.observe((performance.now() - startedAt) / 1000);
  }
}
