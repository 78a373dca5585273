/* What a deal leaves in the browser once opened: its key, and nothing readable.
 *
 * The key is a non-extractable CryptoKey kept in IndexedDB: scripts of this origin can use it while they
 * run, but none can read its bytes to take them elsewhere. One record per deal and salt, for this device
 * ("<deal>|<salt>|device", only when the visitor asks to be remembered) or for this tab
 * ("<deal>|<salt>|tab:<id>", <id> random, kept in this tab's sessionStorage: a new tab has none, so it
 * asks again). A tab's record unused for 12 hours is removed by the next page that looks; Lock removes
 * every record of the deal. Raw keys an older version left in localStorage or sessionStorage are removed.
 * A magic link's password is taken out of the address bar here, by the lock page and the deal pages alike.
 * `open` is the one place a kept or typed key opens a sealed view (payload v3, security/protect.py): the
 * lock page (unlock.js) and the team page's actions file (team.js) both use it. */
window.mapsiteKeys = (function () {
  "use strict";
  var TAB_IDLE = 12 * 3600 * 1000;

  function tab(create) {
    try {
      var id = sessionStorage.getItem("mapsite:tab");
      if (!id && create) {
        id = Array.from(crypto.getRandomValues(new Uint8Array(16)), function (b) { return (b + 256).toString(16).slice(1); }).join("");
        sessionStorage.setItem("mapsite:tab", id);
      }
      return id;
    } catch (e) { return null; }  /* storage off: the key lasts this page */
  }

  /* Runs `work(store)` in one transaction; resolves with what `work` returned once it has committed. */
  function inStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("mapsite", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("keys"); };
      request.onerror = function () { reject(request.error); };
      request.onsuccess = function () {
        var db = request.result, transaction = db.transaction("keys", mode), result = work(transaction.objectStore("keys"));
        transaction.oncomplete = function () { db.close(); resolve(result); };
        transaction.onabort = function () { db.close(); reject(transaction.error); };
      };
    });
  }
  function ofDeal(deal) { return IDBKeyRange.bound(deal + "|", deal + "|\uffff"); }

  ["localStorage", "sessionStorage"].forEach(function (kind) {  /* raw keys an older version kept */
    try {
      var storage = window[kind];
      Object.keys(storage).forEach(function (name) { if (name.indexOf("mapsite:key:") === 0) storage.removeItem(name); });
    } catch (e) { /* storage off: nothing there */ }
  });

  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }
  function label(prefix, data) {
    var head = new TextEncoder().encode(prefix), joined = new Uint8Array(head.length + data.length);
    joined.set(head);
    joined.set(data, head.length);
    return joined;
  }
  function gcm(iv, aad) { return { name: "AES-GCM", iv: iv, additionalData: aad, tagLength: 128 }; }
  function aesKey(raw) { return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]); }

  return {
    /* A view's inflated bytes at `path` (from the site root): the PBKDF2 key P unwraps the realm's content
     * key R from the lock's record (bound to the salt), R the view's content key, and that the view (both
     * bound to the path). Rejects when the key does not fit. */
    open: function (view, lock, passwordKey, path) {
      var record = bytes(lock.record), at = new TextEncoder().encode(path);
      return crypto.subtle.decrypt(gcm(record.slice(0, 12), label("mapsite/v3/realm|", bytes(lock.salt))), passwordKey,
        record.slice(12)).then(aesKey).then(function (realmKey) {
        return crypto.subtle.decrypt(gcm(bytes(lock.nonce), label("mapsite/v3/key|", at)), realmKey, bytes(lock.key));
      }).then(aesKey).then(function (contentKey) {
        return crypto.subtle.decrypt(gcm(bytes(view.nonce), label("mapsite/v3|", at)), contentKey, bytes(view.ciphertext));
      }).then(function (packed) {
        return new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer();
      });
    },
    /* The deal's key for this tab or this device, or null. */
    get: function (deal, salt) {
      var mine = deal + "|" + salt + "|", id = tab(false), now = Date.now();
      return inStore("readwrite", function (store) {
        var found = {};
        store.openCursor().onsuccess = function (event) {
          var cursor = event.target.result;
          if (!cursor) return;
          if (cursor.key === mine + "tab:" + id) {
            found.tab = cursor.value.key;
            cursor.update({ key: cursor.value.key, used: now });
          } else if (cursor.key === mine + "device") {
            found.device = cursor.value.key;
          } else if (cursor.key.indexOf("|tab:") > 0 && now - cursor.value.used > TAB_IDLE) {
            cursor.delete();
          }
          cursor.continue();
        };
        return found;
      }).then(function (found) { return found.tab || found.device || null; });
    },
    /* Keeps a non-extractable key for this tab, or for this device when asked. */
    put: function (deal, salt, key, onDevice) {
      var scope = onDevice ? "device" : "tab:" + tab(true);
      return inStore("readwrite", function (store) { store.put({ key: key, used: Date.now() }, deal + "|" + salt + "|" + scope); });
    },
    /* Forgets the deal's keys in every tab and on this device. */
    forget: function (deal) {
      return inStore("readwrite", function (store) { store.delete(ofDeal(deal)); });
    },
    remembered: function (deal) {
      return inStore("readonly", function (store) {
        var answer = { device: false };
        store.getAllKeys(ofDeal(deal)).onsuccess = function (event) {
          answer.device = event.target.result.some(function (name) { return /\|device$/.test(name); });
        };
        return answer;
      }).then(function (answer) { return answer.device; });
    },
    /* The password a magic link (#k=…) carries, or null; either way it leaves the address bar. */
    linkPassword: function () {
      var fragment = /^#k=(.+)$/.exec(location.hash);
      if (!fragment) return null;
      history.replaceState(history.state, "", location.pathname + location.search);
      try { return decodeURIComponent(fragment[1]); } catch (e) { return fragment[1]; }
    }
  };
})();
