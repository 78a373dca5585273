/* Opens an encrypted page in the browser with WebCrypto. A page holds one or more views (the team's
 * first, then the buyer's); each view is AES-256-GCM under its own content key, and that key is wrapped
 * under each lock that may open it: under the realm's content key R, which the lock carries wrapped (its
 * record) under a key from PBKDF2-HMAC-SHA256 of the deal's password, or of the team's (payload v3). A
 * typed password is tried on every lock (each salt derived once, in parallel); the first lock
 * it opens decides the view. The page's path is checked as associated data, so a page moved to another
 * address will not open. The derived PBKDF2 key (never the password, never R: a key kept by an older
 * version is the same one and still opens the page) is kept by keys.js, under the deal's name
 * or the team's (":team", which no deal's folder can be), for this tab, or for this device when the
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
  var TEAM = ":team";

  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }

  function say(what, isError) {  /* what: a data-mapsite-say message of the page, or "" */
    var words = what && document.querySelector('[data-mapsite-say="' + what + '"]');
    status.textContent = words ? words.textContent : "";
    status.className = "lock__status" + (isError ? " lock__status--error" : "");
  }

  function owner(lock) { return lock.for === "team" ? TEAM : deal; }  /* whose remembered key fits the lock */
  function attempts() {  /* every (view, lock) pair, in the order the page lists them: the team's view first */
    var found = [];
    payload.views.forEach(function (view) { view.locks.forEach(function (lock) { found.push({ view: view, lock: lock }); }); });
    return found;
  }

  function deriveKey(password, lock) {  /* usage "decrypt", as remembered keys have always had */
    var enc = new TextEncoder().encode(password);
    return crypto.subtle.importKey("raw", enc, "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", hash: "SHA-256", salt: bytes(lock.salt), iterations: lock.iterations },
        base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    });
  }
  function fromPassword(password) {  /* lock -> its realm key; each salt derived once, all of them at the same time */
    var derived = {};
    function keyFor(lock) {
      var id = lock.salt + "|" + lock.iterations;
      if (!derived[id]) derived[id] = deriveKey(password, lock);
      return derived[id];
    }
    attempts().forEach(function (attempt) { keyFor(attempt.lock); });
    return keyFor;
  }
  function openView(view, lock, passwordKey) {
    return mapsiteKeys.open(view, lock, passwordKey, path).then(function (plain) { return new TextDecoder().decode(plain); });
  }
  /* The page a view shows: its HTML, or (the team's view of a deal page) ops on the lines of the page it
   * `patches`, which the same key opens: [start, end, lines] puts `lines` where lines start..end-1 were
   * (security/patch.py makes them). */
  function openPage(view, lock, passwordKey) {
    return openView(view, lock, passwordKey).then(function (text) {
      if (view.patches === undefined) return text;
      var base = payload.views[view.patches];
      var same = base && base.patches === undefined && base.locks.filter(function (other) {
        return other.for === lock.for && other.salt === lock.salt;
      })[0];
      if (!same) throw new Error("no page for these ops");
      return openView(base, same, passwordKey).then(function (page) {
        var lines = page.split("\n"), made = [], at = 0;
        JSON.parse(text).forEach(function (op) {
          made = made.concat(lines.slice(at, op[0]), op[2]);
          at = op[1];
        });
        return made.concat(lines.slice(at)).join("\n");
      });
    });
  }
  /* The first view a key opens: {html, lock, key}; rejects when none does. keyFor(lock) gives a key or null. */
  function firstOpened(keyFor) {
    return attempts().reduce(function (chain, attempt) {
      return chain.catch(function () {
        return Promise.resolve(keyFor(attempt.lock)).then(function (key) {
          if (!key) throw new Error("no key");
          return openPage(attempt.view, attempt.lock, key).then(function (html) {
            return { html: html, lock: attempt.lock, key: key };
          });
        });
      });
    }, Promise.reject(new Error("not yet")));
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
  function keep(opened, onDevice) {  /* no IndexedDB (some private modes): the next page asks again */
    return mapsiteKeys.put(owner(opened.lock), opened.lock.salt, opened.key, onDevice).catch(function () {});
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
    return firstOpened(fromPassword(password)).then(function (opened) {
      return keep(opened, onDevice).then(function () { show(opened.html); });
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

  /* Keys this tab or device remembers for the page's locks; a remembered key that no longer opens its lock
   * (the password was changed) is forgotten. */
  function fromMemory() {
    var remembered = {}, tried = {};
    attempts().forEach(function (attempt) {
      var name = owner(attempt.lock), id = name + "|" + attempt.lock.salt;
      if (!remembered[id]) remembered[id] = mapsiteKeys.get(name, attempt.lock.salt).catch(function () { return null; });
    });
    return firstOpened(function (lock) {
      var name = owner(lock);
      return remembered[name + "|" + lock.salt].then(function (key) {
        if (key) tried[name] = true;
        return key;
      });
    }).catch(function (error) {
      return Promise.all(Object.keys(tried).map(function (name) { return mapsiteKeys.forget(name); })).then(function () {
        throw error;
      });
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
  fromMemory().then(function (opened) {
    say("opening");
    show(opened.html);
  }, function () { say(""); });  /* nothing remembered, or no IndexedDB: the password opens it */
})();
