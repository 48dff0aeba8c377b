// Shown instead of the app where it cannot run: a browser too old for JavaScript modules or in
// IE-compatibility mode (it runs this file as a `nomodule` script), or one without WebAssembly or
// IndexedDB (the boot module loads it). Plain ES3, no innerHTML: it must run where nothing else
// does, under the same Content-Security-Policy.
(function () {
  var boot = document.getElementById("boot");
  if (!boot) return;
  function line(tag, text) {
    var el = document.createElement(tag);
    el.appendChild(document.createTextNode(text));
    boot.appendChild(el);
  }
  while (boot.firstChild) boot.removeChild(boot.firstChild);
  boot.className = "boot unsupported";
  boot.setAttribute("data-testid", "unsupported");
  line("h1", "信报无法在这个浏览器中运行");
  line("p", "您的浏览器版本过旧，或正处于“兼容模式”。请改用以下任一种方式打开本网址：");
  line("p", "· 360安全浏览器、QQ浏览器、搜狗浏览器：点击地址栏右侧的图标，切换到“极速模式”；");
  line("p", "· Chrome、Edge、Firefox 的较新版本（2021年以后）；");
  line("p", "· 统信 UOS、麒麟系统自带浏览器的最新版本。");
  line("p", "如仍无法使用，请联系本单位信息管理员。");
  line("p", "Xinbao cannot run in this browser: it is too old, or in compatibility mode. Use a recent Chrome, Edge or Firefox, or switch 360/QQ/Sogou to fast mode (极速模式).");
})();
