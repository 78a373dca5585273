/* mapsite deal pages: dates as of the day the page is viewed, milestone folding, calendar export.
 * Runs after the page is in place (also when an unlocked page is written into the document).
 * Words come from the page's catalogue block (#mapsite-words, built from the same gettext catalogue as the
 * page): plurals by Intl.PluralRules, dates by Intl.DateTimeFormat in the page's language, filled into the
 * catalogue's date pattern. mapsiteWords is the one place for days left, overdue and dates on this side;
 * tests/test_words_agree.py checks it against the Python side (mapsite/site/words.py). */
var mapsiteWords = (function () {
  "use strict";
  var DAY = 86400000;
  var catalogue = { lang: "en", messages: {}, plurals: {} };

  function load(data) { catalogue = data; }
  function fromPage() {
    var block = document.getElementById("mapsite-words");
    if (block) { try { load(JSON.parse(block.textContent)); } catch (e) { /* no words: the messages themselves */ } }
  }
  function t(message) { return catalogue.messages[message] || message; }
  /* Intl objects are slow to make and a page formats hundreds of values (the team page's actions): made once. */
  var made = {};
  function intl(kind, options) {
    var key = kind + catalogue.lang + JSON.stringify(options || {});
    return made[key] || (made[key] = new Intl[kind](catalogue.lang, options));
  }
  function tn(singular, plural, n) {
    var forms = catalogue.plurals[singular] || { one: singular, other: plural };
    var form = forms[intl("PluralRules").select(n)] || forms.other || plural;
    return form.split("%(num)s").join(intl("NumberFormat").format(n));
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (token, name) { return values[name] !== undefined ? values[name] : token; });
  }
  function parse(iso) {
    var p = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return p ? Date.UTC(+p[1], +p[2] - 1, +p[3]) : null;
  }
  function isoToday() {
    var now = new Date();
    return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
  }
  function daysUntil(iso, todayIso) { return Math.round((parse(iso) - parse(todayIso)) / DAY); }
  function daysLeft(days) {
    if (days > 0) return tn("%(num)s day left", "%(num)s days left", days);
    if (days === 0) return t("today");
    return tn("%(num)s day ago", "%(num)s days ago", -days);
  }
  /* An open item's due date from today (Words.due_in): late by n days, else as days left. */
  function dueIn(days) { return days < 0 ? tn("%(num)s day late", "%(num)s days late", -days) : daysLeft(days); }
  function overdue(dueIso, status, todayIso) { return !!dueIso && parse(dueIso) < parse(todayIso) && status !== "done"; }
  /* The catalogue's CLDR pattern ("d MMM y"), its fields from Intl in the page's language. */
  function parts(iso, month) {  /* month names as they read inside a date (format form, not stand-alone) */
    var fields = {};
    intl("DateTimeFormat", { day: "numeric", month: month, year: "numeric", timeZone: "UTC" })
      .formatToParts(new Date(parse(iso))).forEach(function (part) { fields[part.type] = part.value; });
    return fields;
  }
  function date(iso) { return formatted(iso, t("d MMM y")); }
  function month(iso) { return formatted(iso, t("MMM y")); }  /* as the timeline's ticks (Words.month) */
  function formatted(iso, pattern) {
    var fields = parts(iso, "short"), long = parts(iso, "long").month;
    var tokens = { d: fields.day, dd: ("0" + fields.day).slice(-2), MMM: fields.month, MMMM: long, y: fields.year,
                   yyyy: fields.year, M: String(+iso.slice(5, 7)), MM: iso.slice(5, 7) };
    return pattern.replace(/'([^']*)'|d+|M+|y+/g, function (token, quoted) {
      return quoted !== undefined ? quoted : (tokens[token] !== undefined ? tokens[token] : token);
    });
  }
  /* The projection's one rule (mapsite/insight/projection.py), on the inputs the page carries (#ms-projection):
   * an open milestone past due is late by the days since; its delay is the larger of that and the largest delay
   * of the milestones it comes after; done means no delay. Go-live moves by the largest delay due on or before it. */
  function project(data, todayIso) {
    var today = parse(todayIso), goLive = parse(data.go_live), found = [];
    function at(i) {
      if (found[i]) return found[i];
      var m = data.milestones[i], due = parse(m.due);
      found[i] = { lateness: 0, delay: 0, projected: m.due, cause: null };  /* done; and a loop (refused by the loader) ends here */
      if (m.status === "done") return found[i];
      var lateness = Math.max(0, Math.round((today - due) / DAY));
      var delay = lateness, cause = lateness ? i : null;
      m.after.forEach(function (p) { var before = at(p); if (before.delay > delay) { delay = before.delay; cause = before.cause; } });
      return (found[i] = { lateness: lateness, delay: delay, projected: iso(due + delay * DAY), cause: cause });
    }
    var worst = null;
    data.milestones.forEach(function (m, i) {
      var r = at(i);
      if (parse(m.due) <= goLive && (worst === null || r.delay > worst.delay)) worst = r;
    });
    var days = worst ? worst.delay : 0;
    return { milestones: data.milestones.map(function (m, i) { return at(i); }), days: days,
             projected: iso(goLive + days * DAY), cause: days ? worst.cause : null };
  }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function goLiveSentence(data, todayIso) {
    var p = project(data, todayIso), when = date(p.projected);
    if (p.cause === null) return fill(t("Go-live projected for %(date)s, as agreed."), { date: when });
    var cause = data.milestones[p.cause], values = { date: when, title: cause.title, owners: cause.owners };
    if (cause.owners) {
      return fill(tn("Go-live now projected for %(date)s, %(num)s day late: %(title)s (%(owners)s) is %(num)s day overdue.",
                     "Go-live now projected for %(date)s, %(num)s days late: %(title)s (%(owners)s) is %(num)s days overdue.",
                     p.days), values);
    }
    return fill(tn("Go-live now projected for %(date)s, %(num)s day late: %(title)s is %(num)s day overdue.",
                   "Go-live now projected for %(date)s, %(num)s days late: %(title)s is %(num)s days overdue.", p.days), values);
  }
  function projectedLabel(isoDay) { return fill(t("projected %(date)s"), { date: date(isoDay) }); }
  function lang() { return catalogue.lang; }
  return { t: t, tn: tn, fill: fill, lang: lang, intl: intl, month: month, load: load, fromPage: fromPage, parse: parse, isoToday: isoToday, daysUntil: daysUntil,
           daysLeft: daysLeft, dueIn: dueIn, overdue: overdue, date: date, DAY: DAY, project: project,
           goLiveSentence: goLiveSentence, projectedLabel: projectedLabel };
})();

/* What each of mapsite's page scripts needs: to start once the page is in place, and to save a file it made. */
var mapsitePage = (function () {
  "use strict";
  /* `start(root)` once, with the page's words loaded, as soon as an element matching `selector` is in place.
   * A page written by unlock.js may not fire DOMContentLoaded again: whichever event comes first starts it. */
  function ready(selector, start) {
    var started = false;
    function init() {
      var root = document.querySelector(selector);
      if (!root || started) return;
      started = true;
      mapsiteWords.fromPage();
      start(root);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
      document.addEventListener("readystatechange", init);
      window.addEventListener("load", init);
    } else {
      init();
    }
  }
  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  return { ready: ready, save: save };
})();

(function () {
  "use strict";
  var W = mapsiteWords, DAY = W.DAY, parse = W.parse;
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function refreshDates(deal) {
    var todayIso = W.isoToday(), today = parse(todayIso);
    all("[data-ms-days-left]", deal).forEach(function (el) {
      el.textContent = W.daysLeft(W.daysUntil(el.getAttribute("data-ms-days-left"), todayIso));
    });
    all("[data-ms-due-in]", deal).forEach(function (el) {
      el.textContent = W.dueIn(W.daysUntil(el.getAttribute("data-ms-due-in"), todayIso));
    });
    all("[data-ms-due]", deal).forEach(function (el) {
      var late = W.overdue(el.getAttribute("data-ms-due"), el.getAttribute("data-ms-status"), todayIso);
      el.classList.toggle("ms-overdue", late);
      if (el.hasAttribute("data-ms-overdue-only")) el.hidden = !late;
    });
    refreshLists(deal);
    all("[data-ms-today]", deal).forEach(function (el) {
      el.setAttribute("datetime", todayIso);
      el.textContent = W.date(todayIso);
    });
    refreshProjection(deal, todayIso);
    all(".ms-timeline", deal).forEach(function (fig) {
      var start = parse(fig.getAttribute("data-ms-start")), end = parse(fig.getAttribute("data-ms-end"));
      var marker = fig.querySelector("[data-ms-today-marker]");
      if (!marker || start === null || end === null || end <= start) return;
      var x = (today - start) / (end - start) * 100;
      marker.hidden = x < 0 || x > 100;
      marker.style.left = Math.max(0, Math.min(100, x)).toFixed(2) + "%";
    });
  }

  /* The summary's lists on the viewing day, one rule (summary.html): every late item under Overdue, none hidden;
   * the three soonest of the rest under Next up, so no item shows twice. */
  function refreshLists(deal) {
    var late = all("[data-ms-overdue-only]", deal).filter(function (el) { return !el.hidden; });
    all("[data-ms-overdue-count]", deal).forEach(function (el) { el.textContent = String(late.length); });
    all("[data-ms-none-overdue]", deal).forEach(function (el) { el.hidden = late.length > 0; });
    var shown = 0;
    all("[data-ms-next-only]", deal).forEach(function (el) {
      el.hidden = el.classList.contains("ms-overdue") || shown >= 3;
      if (!el.hidden) shown += 1;
    });
    all("[data-ms-none-next]", deal).forEach(function (el) { el.hidden = shown > 0; });
  }

  /* The projected go-live as of the day the page is viewed: the summary's sentence, the timeline's projected dates. */
  function refreshProjection(deal, todayIso) {
    var block = document.getElementById("ms-projection");
    if (!block) return;
    var data = JSON.parse(block.textContent), p = W.project(data, todayIso);
    all("[data-ms-projection]", deal).forEach(function (el) {
      el.textContent = W.goLiveSentence(data, todayIso);
      el.classList.toggle("ms-projection--late", p.days > 0);
    });
    all("[data-ms-projected]", deal).forEach(function (el) {
      var ref = el.getAttribute("data-ms-projected");
      var late = ref === "golive" ? p.days > 0 : p.milestones[+ref].delay > 0;
      el.hidden = !late;
      if (late) el.textContent = W.projectedLabel(ref === "golive" ? p.projected : p.milestones[+ref].projected);
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
        var id = button.getAttribute("data-ms-ics"), listed = button.getAttribute("data-ms-ics-ids");
        var entries = calendar.entries.filter(function (e) {  /* what is done needs no date in anyone's calendar */
          if (e.status === "done") return false;
          if (listed !== null) return listed.split(" ").indexOf(e.id) >= 0;  /* a person's: exactly the entries the page lists */
          return id === "all" || e.id === id || e.id.indexOf(id + "s") === 0;
        });
        mapsitePage.save(new Blob([buildIcs(calendar, entries)], { type: "text/calendar" }),
                         (id === "all" ? W.t("plan") : listed !== null ? W.t("plan") + "-" + id.slice("person-".length)
                          : W.t("milestone") + "-" + id.slice(1)) + ".ics");
      });
    });
  }

  /* Lock: forget this deal's key, and the team's (":team", which opens every deal), in every tab and on this
   * device (keys.js keeps them). A magic link followed on an open plan has nothing left to open: its
   * password only leaves the address bar. */
  function setupLock(deal) {
    var folder = deal.getAttribute("data-ms-deal"), names = [folder, ":team"];
    Promise.all(names.map(mapsiteKeys.remembered)).then(function (remembered) {
      all("[data-ms-remembered]", deal).forEach(function (el) { el.hidden = remembered.indexOf(true) < 0; });
    }, function () { /* no IndexedDB: nothing remembered */ });
    all("[data-ms-lock]", deal).forEach(function (button) {
      button.addEventListener("click", function () {
        function reload() { location.reload(); }
        Promise.all(names.map(mapsiteKeys.forget)).then(reload, reload);
      });
    });
    mapsiteKeys.linkPassword();
    window.addEventListener("hashchange", mapsiteKeys.linkPassword);
  }

  mapsitePage.ready("[data-ms-deal]", function (deal) {
    setupLock(deal);
    refreshDates(deal);
    setupMilestones(deal);
    setupCalendar(deal);
  });
})();
