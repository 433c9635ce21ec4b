/** The bare relay as a page sees it: one WebSocket to the other page, JSON in and out. */
export async function openRelay(url: string, onMessage: (message: Record<string, unknown>) => void): Promise<(message: unknown) => void> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot reach ${url}`));
  });
  ws.onmessage = (event) => onMessage(JSON.parse(String(event.data)) as Record<string, unknown>);
  return (message) => ws.send(JSON.stringify(message));
}
