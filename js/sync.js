// Web Locks for the sync engine (called from src/sync.rs): only one tab of a browser syncs an
// account at a time. `run` returns a Promise; when another tab holds the lock this resolves to
// "busy" at once instead of queueing. Browsers without Web Locks run unguarded (the server's
// replay handling still makes every mutation count once).
export function withLock(name, run) {
  if (!navigator.locks || !navigator.locks.request) return run();
  return navigator.locks.request(name, { ifAvailable: true }, (lock) => (lock ? run() : "busy"));
}
