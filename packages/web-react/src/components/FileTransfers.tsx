import type { PeerView } from '@peerchart/core';
import type { FileTransferView } from '@peerchart/core/files';
import { describeTransfer, isTransferActive, type FileShare } from '../../../web-shared/src/index';

/** The chat's files: one row per transfer with its progress, Cancel while it runs, a download link once received. */
export function FileTransfers({ transfers, peers, share }: { transfers: FileTransferView[]; peers: PeerView[]; share: FileShare }) {
  return (
    <ol className="pc-files" data-testid="file-transfers" aria-label="Files">
      {transfers.map((t) => {
        const url = t.direction === 'receive' ? share.downloadUrl(t) : null;
        return (
          <li
            key={t.key}
            data-testid="file-transfer"
            data-direction={t.direction}
            data-status={t.status}
            data-peer-id={t.peerId}
            data-error-code={t.error ?? undefined}
          >
            <span>{describeTransfer(t, peers)}</span>
            <progress data-testid="file-progress" aria-label={`Progress of ${t.name}`} value={t.bytes} max={Math.max(t.size, 1)} />
            {isTransferActive(t) && (
              <button type="button" onClick={() => share.cancel(t.key)}>
                Cancel
              </button>
            )}
            {url && (
              <a data-testid="file-download" href={url} download={t.name}>
                Download {t.name}
              </a>
            )}
          </li>
        );
      })}
    </ol>
  );
}
