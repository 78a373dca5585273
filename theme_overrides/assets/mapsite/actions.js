/* mapsite deal pages: a buyer's Done / New date / Question as mailto: links, built here from the decrypted page.
 * The data (#ms-actions: each open item's reference, addressees and the message's words in the deal's language)
 * is inside the page's encryption; nothing is sent anywhere but to the viewer's own mail client.
 * Each message ends with ONE machine line that `mapsite apply` reads (mapsite/plan/messages.py):
 *   mapsite-update: deal=<slug> item=<reference> status=done | due=YYYY-MM-DD | question
 * Plan text only ever goes into the human part, on one line and never as a line of its own, so a title
 * cannot add a second update line, a header or a recipient. */
(function () {
  "use strict";
  var MAX_TITLE = 120;  /* a link stays well under the ~2,000 characters mail programs take */

  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  /* Plan text on one line: line breaks and control characters become spaces; the marker cannot appear. */
  function oneLine(text) {
    var flat = String(text || "").replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim()
      .replace(/mapsite-update\s*:/gi, "mapsite-update -");
    return flat.length > MAX_TITLE ? flat.slice(0, MAX_TITLE - 1) + "…" : flat;
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (token, name) { return values[name] !== undefined ? values[name] : token; });
  }
  function date(iso) { return window.mapsiteWords ? mapsiteWords.date(iso) : iso; }
  function addresses(list) {
    return list.map(function (a) { return encodeURIComponent(a).replace(/%40/g, "@"); }).join(",");
  }

  /* RFC 6068: every part percent-encoded (encodeURIComponent), line breaks as %0D%0A. */
  function mailto(data, ref, kind, newDate) {
    var item = data.items[ref], w = data.words, name = oneLine(item.title), plan = oneLine(data.plan);
    var values = { item: name, plan: plan, date: newDate ? date(newDate) : "", old: item.due ? date(item.due) : "" };
    var subject = fill(w["subject_" + kind], values);
    var said = kind === "done" ? w.done : kind === "question" ? w.question : item.due ? w.due : w.due_new;
    var lines = [w.hello, "", fill(said, values)];
    if (item.milestone) lines.push(fill(w.step_of, { title: oneLine(item.milestone) }));
    if (kind === "question") lines.push("", "", "");
    var change = kind === "done" ? "status=done" : kind === "question" ? "question" : "due=" + newDate;
    lines.push("", w.keep, "mapsite-update: deal=" + data.deal + " item=" + ref + " " + change);
    var query = [];
    if (item.cc.length) query.push("cc=" + addresses(item.cc));
    query.push("subject=" + encodeURIComponent(subject), "body=" + encodeURIComponent(lines.join("\r\n")));
    return "mailto:" + addresses(item.to) + "?" + query.join("&");
  }

  function setup(data, box) {
    var ref = box.getAttribute("data-ms-ref");
    if (!data.items[ref]) return;
    all("[data-ms-action=done], [data-ms-action=question]", box).forEach(function (link) {
      link.href = mailto(data, ref, link.getAttribute("data-ms-action"));
    });
    var picker = box.querySelector("[data-ms-action-date]"), propose = box.querySelector("[data-ms-action=due]");
    if (data.items[ref].due) picker.value = data.items[ref].due;
    function chosen() {
      var ok = /^\d{4}-\d{2}-\d{2}$/.test(picker.value) && picker.value !== data.items[ref].due;
      if (ok) propose.href = mailto(data, ref, "due", picker.value); else propose.removeAttribute("href");
      propose.setAttribute("aria-disabled", ok ? "false" : "true");
    }
    picker.addEventListener("input", chosen);
    picker.addEventListener("change", chosen);
    chosen();
    var toggle = box.querySelector(".ms-actions__toggle"), body = box.querySelector(".ms-actions__body");
    toggle.addEventListener("click", function () {
      body.hidden = !body.hidden;
      toggle.setAttribute("aria-expanded", String(!body.hidden));
      box.classList.toggle("ms-actions--open", !body.hidden);
    });
    box.hidden = false;
  }

  var started = false;
  function init() {
    var block = document.getElementById("ms-actions");
    if (!block || started) return;
    started = true;
    var data = JSON.parse(block.textContent);
    all("[data-ms-ref]").forEach(function (box) { setup(data, box); });
  }
  /* Whichever comes first starts us: a page written by unlock.js may not fire DOMContentLoaded again (see mapsite.js). */
  ["DOMContentLoaded", "readystatechange"].forEach(function (type) { document.addEventListener(type, init); });
  window.addEventListener("load", init);
  if (document.readyState !== "loading") init();
})();
