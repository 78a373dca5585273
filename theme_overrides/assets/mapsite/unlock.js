/* Opens an encrypted deal page in the browser: PBKDF2-HMAC-SHA256 + AES-256-GCM with WebCrypto.
 * The page's path is checked as associated data, so a page moved to another address will not open.
 * The derived key (never the password) is kept by keys.js for this tab, or for this device when the
 * visitor asks and the site offers it: never on an origin other sites share (*.github.io, *.gitlab.io),
 * whose other sites' scripts could use it. Every word shown comes from the page (mapsite-lock.html). */
(function () {
  "use strict";
  var SHARED_ORIGIN = /\.(github|gitlab)\.io$/i;
  var shell = document.querySelector("[data-mapsite-root]");
  var payload = JSON.parse(document.getElementById("mapsite-payload").textContent);
  var form = document.getElementById("mapsite-unlock");
  var input = document.getElementById("mapsite-password");
  var remember = document.querySelector("[data-mapsite-remember]");
  var button = document.getElementById("mapsite-submit");
  var status = document.getElementById("mapsite-status");
  var progress = document.getElementById("mapsite-progress");

  function pagePath() {
    var rootPath = new URL(shell.getAttribute("data-mapsite-root"), location.href).pathname;
    var path = location.pathname.slice(rootPath.length);
    if (/(^|\/)index\.html$/.test(path)) path = path.slice(0, -"index.html".length);
    if (path && !/\/$/.test(path) && !/\.html$/.test(path)) path += "/";
    return decodeURIComponent(path);
  }
  var path = pagePath();
  var deal = path.split("/")[0];
  var aad = new TextEncoder().encode("mapsite/v1|" + path);

  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }

  function say(what, isError) {  /* what: a data-mapsite-say message of the page, or "" */
    var words = what && document.querySelector('[data-mapsite-say="' + what + '"]');
    status.textContent = words ? words.textContent : "";
    status.className = "lock__status" + (isError ? " lock__status--error" : "");
  }

  function deriveKey(password) {
    var enc = new TextEncoder().encode(password);
    return crypto.subtle.importKey("raw", enc, "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", hash: "SHA-256", salt: bytes(payload.salt), iterations: payload.iterations },
        base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    });
  }
  function inflate(plain) {  /* pages are compressed before encryption; older payloads are not */
    if (payload.compression !== "deflate-raw") return Promise.resolve(plain);
    var stream = new Blob([plain]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer();
  }
  function decrypt(key) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(payload.nonce), additionalData: aad, tagLength: 128 },
      key, bytes(payload.ciphertext)).then(inflate).then(function (plain) { return new TextDecoder().decode(plain); });
  }
  function show(html) {
    function replace() {  /* the plan replaces the whole shell document, head included */
      document.open();
      document.write(html);
      document.close();
    }
    /* While the shell is still being parsed, document.open() would not replace it: wait for the parser. */
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { setTimeout(replace, 0); });
    } else {
      replace();
    }
  }
  function keep(key, onDevice) {  /* no IndexedDB (some private modes): the next page asks again */
    return mapsiteKeys.put(deal, payload.salt, key, onDevice).catch(function () {});
  }

  var timer = null;
  function busy(on) {
    button.disabled = on;
    input.disabled = on;
    progress.hidden = !on;
    var bar = progress.firstElementChild;
    clearInterval(timer);
    if (!on) { bar.style.width = "0"; return; }
    var started = Date.now();
    bar.style.width = "5%";
    timer = setInterval(function () {  /* PBKDF2 reports no progress: approach 95% over about two seconds */
      var t = (Date.now() - started) / 2000;
      bar.style.width = (95 * (1 - Math.exp(-2 * t))).toFixed(1) + "%";
    }, 100);
  }

  function unlockWith(password, onDevice) {
    busy(true);
    say("checking");
    var derived;
    return deriveKey(password).then(function (key) {
      derived = key;
      return decrypt(key);
    }).then(function (html) {
      return keep(derived, onDevice).then(function () { show(html); });
    }, function () {
      busy(false);
      say("wrong", true);
      keepTyped();
    });
  }

  /* A wrong password stays in the field, selected: the next keystroke replaces it, an arrow key edits it. */
  function keepTyped() {
    input.focus();
    input.select();
  }

  /* "Show password": the field shows what was typed, to check a long password read out on a call. */
  function setupShowPassword() {
    var show = document.getElementById("mapsite-show");
    if (!show) return;
    show.addEventListener("change", function () {
      input.type = show.checked ? "text" : "password";
      input.focus();
    });
  }

  /* A magic link, on arrival or followed while this page is open: the password leaves the address bar first. */
  function fromLink() {
    var password = mapsiteKeys.linkPassword();
    if (password === null) return false;
    if (shell.getAttribute("data-mapsite-magic-links") !== "on") {
      say("link-refused", true);
      input.focus();
    } else if (!button.disabled) {
      unlockWith(password, false);
    }
    return true;
  }

  if (remember && (remember.getAttribute("data-mapsite-remember") === "always" || !SHARED_ORIGIN.test(location.hostname))) {
    remember.hidden = false;
  }
  if (!window.crypto || !crypto.subtle) {
    mapsiteKeys.linkPassword();
    say("insecure", true);
    button.disabled = true;
    return;
  }

  setupShowPassword();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var onDevice = Boolean(remember && !remember.hidden && remember.querySelector("input").checked);
    if (input.value) unlockWith(input.value, onDevice);
  });
  window.addEventListener("hashchange", fromLink);
  if (fromLink()) return;
  mapsiteKeys.get(deal, payload.salt).then(function (key) {
    if (!key) return;
    say("opening");
    return decrypt(key).then(show, function () {
      say("");
      return mapsiteKeys.forget(deal);  /* the password was changed: the old key no longer fits */
    });
  }).catch(function () { /* no IndexedDB: the password opens it */ });
})();
