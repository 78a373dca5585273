/* mapsite documents: a deal's files are published encrypted (<deal>/files/<random>.bin) and the summary page,
 * itself opened with the deal's password, holds each file's key, nonce and name (mapsite/site/documents.py,
 * mapsite/security/documents.py). A press on a document fetches its file, decrypts it with WebCrypto
 * (AES-256-GCM, its path from the site root bound in) and saves it under its own name. The Blob is always
 * application/octet-stream: a document is only ever saved, never shown inside this site's origin.
 * Words: none here; the page's own (from the catalogue) are shown or hidden. */
(function () {
  "use strict";
  var AAD_PREFIX = "mapsite/v2/file|";

  function bytes(b64) {
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function opened(button) {
    var data = button.dataset;
    return fetch(data.msFile, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return Promise.all([response.arrayBuffer(),
        crypto.subtle.importKey("raw", bytes(data.msFileKey), "AES-GCM", false, ["decrypt"])]);
    }).then(function (both) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(data.msFileNonce), tagLength: 128,
        additionalData: new TextEncoder().encode(AAD_PREFIX + data.msFilePath) }, both[1], both[0]);
    });
  }
  function save(plain, name) {
    var url = URL.createObjectURL(new Blob([plain], { type: "application/octet-stream" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-ms-file]") : null;
    if (!button || button.disabled) return;
    var problem = document.querySelector("[data-ms-files-error]");
    if (problem) problem.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    opened(button).then(function (plain) { save(plain, button.dataset.msFileName); })
      .catch(function () { if (problem) problem.hidden = false; })
      .then(function () { button.disabled = false; button.removeAttribute("aria-busy"); });
  });
})();
