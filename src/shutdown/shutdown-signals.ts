export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** First SIGINT/SIGTERM (pm2 sends SIGINT) starts a graceful stop; a second one forces exit. */
export function onShutdownSignals(
  graceful: (signal: ShutdownSignal) => void,
  force: (signal: ShutdownSignal) => void,
): () => void {
  let received = false;
  const handler = (signal: ShutdownSignal) => {
    if (received) {
      force(signal);
      return;
    }
    received = true;
    graceful(signal);
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}
