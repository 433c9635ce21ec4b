#!/usr/bin/env node
import { buildApp } from './app.js';
import { ConfigError, describeConfig, helpText, loadConfig } from './config.js';

/** Flags/env → config → listen; SIGTERM/SIGINT → readiness 503, sockets closed 1001, exit 0. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`peerchart-signal: ${error.message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (loaded.help) {
    console.log(helpText());
    return;
  }
  if (loaded.printConfig) {
    console.log(JSON.stringify(describeConfig(loaded.config), null, 2));
    return;
  }
  const { config } = loaded;
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  for (const address of app.addresses()) {
    if (typeof address === 'string') continue;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    console.log(`peerchart-signal listening on http://${host}:${address.port} (WebSocket: ws://${host}:${address.port}/ws)`);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app.peerchart.beginShutdown();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('peerchart-signal failed to start:', error);
  process.exit(1);
});
