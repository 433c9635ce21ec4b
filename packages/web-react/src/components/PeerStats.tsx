import type { PeerStatsView } from '@peerchart/core';
import { qualityFigures, sparklinePoints } from '../../../web-shared/src/index';

export function PeerStats({ peerId, stats }: { peerId: string; stats: PeerStatsView | null }) {
  const points = stats ? sparklinePoints(stats.history, (s) => s.inboundKbps, 120, 24) : '';
  return (
    <div className="pc-stats" data-testid="peer-stats" data-peer-id={peerId} aria-label="Connection quality">
      {stats ? (
        <dl>
          {qualityFigures(stats).map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <span>Measuring…</span>
      )}
      <svg className="pc-spark" data-testid="peer-sparkline" viewBox="0 0 120 24" role="img" aria-label="Receive bitrate, last samples">
        <polyline points={points} />
      </svg>
    </div>
  );
}
