/* mapsite deal pages: dates as of the day the page is viewed, milestone folding, calendar export.
 * Runs after the page is in place (also when an unlocked page is written into the document). */
(function () {
  "use strict";
  var DAY = 86400000;

  function isoToday() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  }
  function parse(iso) {
    var p = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return p ? Date.UTC(+p[1], +p[2] - 1, +p[3]) : null;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function refreshDates(deal) {
    var today = isoToday();
    all("[data-ms-days-left]", deal).forEach(function (el) {
      var days = Math.round((parse(el.getAttribute("data-ms-days-left")) - today) / DAY);
      el.textContent = days > 0 ? plural(days, "day") + " left" : days === 0 ? "today" : plural(-days, "day") + " ago";
    });
    all("[data-ms-due]", deal).forEach(function (el) {
      var due = parse(el.getAttribute("data-ms-due"));
      var late = due !== null && due < today && el.getAttribute("data-ms-status") !== "done";
      el.classList.toggle("ms-overdue", late);
      if (el.hasAttribute("data-ms-overdue-only")) el.hidden = !late;
    });
    /* The summary lists the first three late items; the rest are counted, so the first screen stays one screen. */
    var late = all("[data-ms-overdue-only]", deal).filter(function (el) { return !el.hidden; });
    late.forEach(function (el, index) { el.hidden = index >= 3; });
    all("[data-ms-overdue-count]", deal).forEach(function (el) { el.textContent = String(late.length); });
    all("[data-ms-none-overdue]", deal).forEach(function (el) { el.hidden = late.length > 0; });
    all("[data-ms-more-overdue]", deal).forEach(function (el) {
      el.hidden = late.length <= 3;
      var link = el.querySelector("a");
      if (link) link.textContent = (late.length - 3) + " more overdue on the milestones page";
    });
    all("[data-ms-today]", deal).forEach(function (el) {
      var d = new Date(today);
      el.setAttribute("datetime", d.toISOString().slice(0, 10));
      el.textContent = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
    });
    all(".ms-timeline", deal).forEach(function (fig) {
      var start = parse(fig.getAttribute("data-ms-start")), end = parse(fig.getAttribute("data-ms-end"));
      var marker = fig.querySelector("[data-ms-today-marker]");
      if (!marker || start === null || end === null || end <= start) return;
      var x = (today - start) / (end - start) * 100;
      marker.hidden = x < 0 || x > 100;
      marker.style.left = Math.max(0, Math.min(100, x)).toFixed(2) + "%";
    });
  }

  function stateKey() { return "mapsite:open:" + location.pathname; }

  function setupMilestones(deal) {
    var blocks = all("details[data-ms-milestone]", deal);
    if (!blocks.length) return;
    var saved = [];
    try { saved = JSON.parse(sessionStorage.getItem(stateKey()) || "[]"); } catch (e) { saved = []; }
    blocks.forEach(function (d) { if (saved.indexOf(d.getAttribute("data-ms-milestone")) >= 0) d.open = true; });
    function save() {
      var open = blocks.filter(function (d) { return d.open; }).map(function (d) { return d.getAttribute("data-ms-milestone"); });
      try { sessionStorage.setItem(stateKey(), JSON.stringify(open)); } catch (e) { /* storage off: state lasts the page */ }
    }
    blocks.forEach(function (d) { d.addEventListener("toggle", save); });
    function openFromHash() {
      var m = /^#milestone-(\d+)$/.exec(location.hash);
      if (!m) return;
      var target = deal.querySelector('details[data-ms-milestone="' + m[1] + '"]');
      if (target) { target.open = true; target.parentNode.scrollIntoView(); }
    }
    openFromHash();
    window.addEventListener("hashchange", openFromHash);
    all("[data-ms-expand]", deal).forEach(function (button) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("data-ms-expand") === "open";
        blocks.forEach(function (d) { d.open = open; });
        save();
      });
    });
    var before = null;
    window.addEventListener("beforeprint", function () {
      before = blocks.map(function (d) { return d.open; });
      blocks.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      if (before) blocks.forEach(function (d, i) { d.open = before[i]; });
    });
  }

  /* iCalendar (RFC 5545), built here from the decrypted page: no .ics file ever lies on the server. */
  function icsText(value) {
    return String(value).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
  }
  function fold(line) {
    var out = [], chunk = "";
    Array.from(line).forEach(function (ch) {
      if (new TextEncoder().encode(chunk + ch).length > 73) { out.push(chunk); chunk = " "; }
      chunk += ch;
    });
    out.push(chunk);
    return out.join("\r\n");
  }
  function buildIcs(calendar, entries) {
    var stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mapsite//mutual action plan//EN", "CALSCALE:GREGORIAN",
                 "X-WR-CALNAME:" + icsText(calendar.title)];
    entries.forEach(function (entry) {
      var start = entry.date.replace(/-/g, "");
      var next = new Date(parse(entry.date) + DAY).toISOString().slice(0, 10).replace(/-/g, "");
      lines.push("BEGIN:VEVENT", "UID:" + entry.id + "." + calendar.deal + "@mapsite", "DTSTAMP:" + stamp,
                 "DTSTART;VALUE=DATE:" + start, "DTEND;VALUE=DATE:" + next,
                 "SUMMARY:" + icsText(entry.title));
      if (entry.description) lines.push("DESCRIPTION:" + icsText(entry.description));
      lines.push("END:VEVENT");
    });
    lines.push("END:VCALENDAR");
    return lines.map(fold).join("\r\n") + "\r\n";
  }
  function setupCalendar(deal) {
    var data = document.getElementById("ms-calendar");
    if (!data) return;
    var calendar = JSON.parse(data.textContent);
    all("[data-ms-ics]", deal).forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.getAttribute("data-ms-ics");
        var entries = calendar.entries.filter(function (e) {
          return id === "all" || e.id === id || e.id.indexOf(id + "s") === 0;
        });
        var blob = new Blob([buildIcs(calendar, entries)], { type: "text/calendar" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = (id === "all" ? "plan" : "milestone-" + id.slice(1)) + ".ics";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    });
  }

  /* Lock: forget this deal's key in every tab and on this device (keys.js keeps it). A magic link followed
   * on an open plan has nothing left to open: its password only leaves the address bar. */
  function setupLock(deal) {
    var folder = deal.getAttribute("data-ms-deal");
    mapsiteKeys.remembered(folder).then(function (remembered) {
      all("[data-ms-remembered]", deal).forEach(function (el) { el.hidden = !remembered; });
    }, function () { /* no IndexedDB: nothing remembered */ });
    all("[data-ms-lock]", deal).forEach(function (button) {
      button.addEventListener("click", function () {
        function reload() { location.reload(); }
        mapsiteKeys.forget(folder).then(reload, reload);
      });
    });
    mapsiteKeys.linkPassword();
    window.addEventListener("hashchange", mapsiteKeys.linkPassword);
  }

  var started = false;
  function init() {
    var deal = document.querySelector("[data-ms-deal]");
    if (!deal || started) return;
    started = true;
    setupLock(deal);
    refreshDates(deal);
    setupMilestones(deal);
    setupCalendar(deal);
  }
  /* A page written by unlock.js may not fire DOMContentLoaded again: whichever comes first starts us. */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
    document.addEventListener("readystatechange", init);
    window.addEventListener("load", init);
  } else {
    init();
  }
})();
