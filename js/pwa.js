// Service worker registration and updates, called from Rust (src/pwa.rs). A new version waits
// until the person presses "更新"; the page never reloads by itself.
export function register_service_worker(on_update_ready, on_taken_over, on_failed) {
  if (!("serviceWorker" in navigator)) return;
  // A new version activated from another tab takes this one over too: it must save and reload
  // (its pages' modules are the old version's). The first install, which takes an uncontrolled
  // page, is not an update.
  if (navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener("controllerchange", () => on_taken_over(), { once: true });
  }
  navigator.serviceWorker
    .register("/sw.js")
    .then((reg) => {
      const notify = (worker) => {
        if (worker && navigator.serviceWorker.controller) on_update_ready();
      };
      if (reg.waiting) notify(reg.waiting);
      reg.addEventListener("updatefound", () => {
        const worker = reg.installing;
        if (!worker) return;
        worker.addEventListener("statechange", () => {
          if (worker.state === "installed") notify(worker);
        });
      });
    })
    .catch((e) => {
      // Over https with a certificate this PC does not trust (someone clicked through the
      // warning), the page loads but the worker is refused: offline will not work, and the
      // page says why.
      // A network blip or a server error is tried again at the next load; only a refusal by
      // the browser (SecurityError: the certificate) is said.
      console.warn("service worker registration failed", e);
      if (e && e.name === "SecurityError") on_failed(String(e.name));
    });
}

// Resolves true once the waiting version has been asked to take over (the page reloads when it
// has), false when there was none to ask.
export function apply_update() {
  if (!("serviceWorker" in navigator)) return Promise.resolve(false);
  return navigator.serviceWorker
    .getRegistration()
    .then((reg) => {
      if (!reg || !reg.waiting) return false;
      navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), { once: true });
      reg.waiting.postMessage("skip-waiting");
      return true;
    })
    .catch(() => false);
}

export function check_for_update() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.getRegistration().then((reg) => reg && reg.update()).catch(() => {});
}
