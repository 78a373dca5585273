/* Opens an encrypted deal page in the browser: PBKDF2-HMAC-SHA256 + AES-256-GCM with WebCrypto.
 * The page's path is checked as associated data, so a page moved to another address will not open.
 * The derived key (never the password) is kept in sessionStorage for the deal, and in
 * localStorage only when the visitor asks to be remembered. */
(function () {
  "use strict";
  var shell = document.querySelector("[data-mapsite-root]");
  var payload = JSON.parse(document.getElementById("mapsite-payload").textContent);
  var form = document.getElementById("mapsite-unlock");
  var input = document.getElementById("mapsite-password");
  var remember = document.getElementById("mapsite-remember");
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
  var storageKey = "mapsite:key:" + deal;
  var aad = new TextEncoder().encode("mapsite/v1|" + path);

  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }
  function b64(buffer) { return btoa(String.fromCharCode.apply(null, new Uint8Array(buffer))); }

  function say(text, isError) {
    status.textContent = text;
    status.className = "lock__status" + (isError ? " lock__status--error" : "");
  }

  function deriveKey(password) {
    var enc = new TextEncoder().encode(password);
    return crypto.subtle.importKey("raw", enc, "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", hash: "SHA-256", salt: bytes(payload.salt), iterations: payload.iterations },
        base, { name: "AES-GCM", length: 256 }, true, ["decrypt"]);
    });
  }
  function importRaw(raw) {
    return crypto.subtle.importKey("raw", bytes(raw), { name: "AES-GCM" }, true, ["decrypt"]);
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
  function keep(key, persist) {
    return crypto.subtle.exportKey("raw", key).then(function (raw) {
      var value = b64(raw);
      try { sessionStorage.setItem(storageKey, value); } catch (e) { /* private mode: ask again next page */ }
      if (persist) { try { localStorage.setItem(storageKey, value); } catch (e) { /* storage off */ } }
    });
  }
  function stored() {
    try { return sessionStorage.getItem(storageKey) || localStorage.getItem(storageKey); } catch (e) { return null; }
  }
  function forgetStored() {
    try { sessionStorage.removeItem(storageKey); localStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
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

  function unlockWith(password, persist) {
    busy(true);
    say("Checking the password…");
    var derived;
    return deriveKey(password).then(function (key) {
      derived = key;
      return decrypt(key);
    }).then(function (html) {
      return keep(derived, persist).then(function () { show(html); });
    }, function () {
      busy(false);
      say("That password is not right for this plan. Check it and try again.", true);
      input.value = "";
      input.focus();
    });
  }

  if (!window.crypto || !crypto.subtle) {
    say("This plan can only be opened over a secure (https) connection.", true);
    button.disabled = true;
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (input.value) unlockWith(input.value, remember.checked);
  });

  var fragment = /^#k=(.+)$/.exec(location.hash);
  if (fragment) {
    history.replaceState(null, "", location.pathname + location.search);  /* the password leaves the address bar and history at once */
    var password;
    try { password = decodeURIComponent(fragment[1]); } catch (e) { password = fragment[1]; }
    unlockWith(password, false);
    return;
  }
  var raw = stored();
  if (raw) {
    say("Opening…");
    importRaw(raw).then(decrypt).then(function (html) {
      try { sessionStorage.setItem(storageKey, raw); } catch (e) { /* ignore */ }
      show(html);
    }, function () {
      forgetStored();  /* the password was changed: the old key no longer fits */
      say("");
    });
  }
})();
