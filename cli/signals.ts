/** Process signals as the long-running `kvt` commands (virt-launcher, virt-api) use them. */

/** Resolves on the first SIGTERM or SIGINT, then stops listening (a second signal gets Node's default). */
export function stopSignal(): Promise<void> {
  return new Promise((done) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      done();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
