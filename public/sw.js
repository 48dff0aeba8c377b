// Xinbao's service worker: precaches the app shell so the app opens offline, serves app pages
// from that cache, never touches non-GET requests or the API, and deletes old versions' caches.
// `cargo xtask build` fills in VERSION and ASSETS from the built files.
const VERSION = "__XINBAO_VERSION__";
const ASSETS = __XINBAO_ASSETS__;
const PREFIX = "xinbao-shell-";
const CACHE = PREFIX + VERSION;

// API requests go straight to the network without waking the worker (the static routing API,
// Chrome 123 and later; elsewhere the fetch handler below lets them pass). This is what lets
// "更新" take effect at once: Chrome asks the old worker to stop a single time, and a sync
// request that woke it in that moment held the new version back until the old worker had been
// idle for half a minute (five minutes at most). The routes are the retiring worker's: a
// browser benefits from the update after the one that brings them.
const ROUTES = [{ condition: { urlPattern: { pathname: "/api/*" } }, source: "network" }];

self.addEventListener("install", (event) => {
  // A browser that knows the routing API but refuses these rules still installs the worker.
  const routed = event.addRoutes ? Promise.resolve().then(() => event.addRoutes(ROUTES)).catch(() => {}) : Promise.resolve();
  event.waitUntil(Promise.all([routed, caches.open(CACHE).then((cache) => cache.addAll(ASSETS))]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page asks the waiting version to take over only when the person chose "更新".
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Cache first: on a dead or crawling line the app still opens at once.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match("/index.html")).then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(request)).then((hit) => hit || fetch(request)));
});
