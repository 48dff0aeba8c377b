// Service worker registration and updates, called from Rust (src/pwa.rs). A new version waits
// until the person presses "更新"; the page never reloads by itself.
export function register_service_worker(on_update_ready) {
  if (!("serviceWorker" in navigator)) return;
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
    .catch((e) => console.warn("service worker registration failed", e));
}

export function apply_update() {
  navigator.serviceWorker.getRegistration().then((reg) => {
    if (!reg || !reg.waiting) return;
    navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), { once: true });
    reg.waiting.postMessage("skip-waiting");
  });
}

export function check_for_update() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.getRegistration().then((reg) => reg && reg.update()).catch(() => {});
}
