// The station's only script: the hand scanner, the review keys, the live feed, the alarms.
// Text from the server is always set with textContent, never as HTML.
//
// A hand scanner is a keyboard that types a whole code in a burst (keys a few ms apart) and
// Enter. A person presses one key at a time. So: keys that come less than BURST_GAP ms apart
// are a burst; a burst that ends in Enter is a scan and goes to the scan field (#kit-code, in
// the header of every sorting screen), wherever the focus was; a burst never triggers anything
// else. A shortcut key (the review keys) acts only when it stands alone: no key in the
// QUIET ms before it and none in the QUIET ms after it.
"use strict";

(function () {
  var BURST_GAP = 35;   // ms between two keys of a scanner (a person is much slower)
  var QUIET = 150;      // ms of quiet around a deliberate key
  var MIN_SCAN = 4;     // the shortest code a scanner sends
  var HICCUP = 120;     // ms a scanner's burst may pause once under way (a loaded computer)

  function $(id) { return document.getElementById(id); }

  function isField(el) {
    return !!el && (el.tagName === "INPUT" && el.type !== "radio" && el.type !== "checkbox" &&
                    el.type !== "submit" && el.type !== "button" ||
                    el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  var scanField = $("kit-code");
  var scanForm = $("scan-form");
  var countField = $("signatures");

  function submitScan(code) {
    if (!scanForm || !scanField) { return; }
    scanField.value = code;
    if (scanForm.requestSubmit) { scanForm.requestSubmit(); } else { scanForm.submit(); }
  }

  // ------------------------------------------------------------ shortcut keys
  function act(key) {
    var target = document.querySelector('[data-key="' + key.toLowerCase() + '"]');
    if (!target) { return; }
    if (target.type === "radio") {
      target.checked = true;
      if (target.value === "petition" && countField) {
        // A number typed now is the sheet's signature count, never a case.
        countField.focus();
        countField.select();
        var hint = $("signatures-hint");
        if (hint) { hint.hidden = false; }
      }
      return;
    }
    if (target.id === "zoom") { toggleZoom(); return; }
    if (target.tagName === "A") { window.location.assign(target.href); return; }
    if (target.form && target.form.requestSubmit) { target.form.requestSubmit(target); }
    else { target.click(); }
  }

  // ------------------------------------------------------------ the keyboard
  var last = -1e9;       // time of the previous printable key
  var run = null;        // the keys of the current burst: {keys, field, before}
  var pending = null;    // a deliberate key waiting for its quiet window

  function cancelPending() {
    if (pending) { clearTimeout(pending.timer); pending = null; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var key = event.key;
    var now = event.timeStamp || performance.now();
    var active = document.activeElement;
    if (key === "Escape") {
      cancelPending();
      acknowledge();
      if (active && active.blur) { active.blur(); }
      return;
    }
    if (key === "Enter") {
      var burst = run && now - last < HICCUP && run.keys.length >= MIN_SCAN;
      var code = burst ? run.keys.join("") : null;
      var field = run ? run.field : null, before = run ? run.before : null;
      run = null;
      cancelPending();
      if (burst && scanForm) {
        // A scan: it goes to the scan field, whatever had the focus (never to a form there).
        event.preventDefault();
        event.stopPropagation();
        if (field && field !== scanField && before !== null) { field.value = before; }
        submitScan(code);
        return;
      }
      if (active === countField) {
        // Enter after the count: the count is set; the next digit picks the case.
        event.preventDefault();
        countField.blur();
        var hint = $("signatures-hint");
        if (hint) { hint.hidden = true; }
      }
      return;
    }
    if (key.length !== 1) { return; }  // Shift, arrows, Tab: not part of any code
    var gap = now - last;
    last = now;
    // A run that is clearly a scanner's already (MIN_SCAN fast keys) survives a hiccup of a
    // busy computer; a person's keys never start one.
    if (run && (gap < BURST_GAP || run.keys.length >= MIN_SCAN && gap < HICCUP)) {
      run.keys.push(key);
    } else {
      run = {keys: [key], field: isField(active) ? active : null,
             before: isField(active) ? active.value : null};
    }
    // A field that reads barcodes itself (a tracking number) keeps what is scanned into it.
    if (run.field && run.field.hasAttribute("data-own-scan")) { run = null; }
    if (isField(active)) { return; }  // typed into a field (the burst is taken out at Enter)
    if (!document.querySelector("[data-key]")) {
      // No shortcut on this page: keys go to the scan field (the live screen keeps it focused).
      if (scanField && document.body.classList.contains("live")) { scanField.focus(); }
      return;
    }
    // A page with shortcut keys: nothing acts until the key proves to stand alone.
    event.preventDefault();
    if (pending) {
      // Another key soon after: both are part of something typed fast, never shortcuts.
      cancelPending();
      return;
    }
    if (gap < QUIET) { return; }  // too close after the previous key: not a deliberate one
    pending = {key: key, timer: setTimeout(function () {
      var chosen = pending;
      pending = null;
      if (chosen && performance.now() - last >= QUIET - 5) { act(chosen.key); }
    }, QUIET)};
  }, true);

  document.documentElement.dataset.keys = "ready";  // the keys are listened to from now on

  function toggleZoom() {
    var scan = $("scan");
    if (scan) { scan.classList.toggle("zoomed"); }
  }
  var zoom = $("zoom");
  if (zoom) { zoom.addEventListener("click", toggleZoom); }
  var image = $("scan-image");
  if (image) { image.addEventListener("click", toggleZoom); }
  var printButton = $("print");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  // Forms submit once: a second Enter from the hand scanner must not post twice.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });

  // ------------------------------------------------------------ alarms (every screen)
  var dismissed = {};  // quarantined files whose banner was put away here (Esc): still counted

  function beep() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 440;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (e) { /* no sound on this machine: the banner is enough */ }
  }

  function raise(message) {
    var box = $("alarm");
    if (!box) { return; }
    $("alarm-text").textContent = message;
    box.hidden = false;
    document.body.classList.add("alarmed");
  }

  function acknowledge() {
    var box = $("alarm");
    if (box && !box.hidden) {
      box.hidden = true;
      document.body.classList.remove("alarmed");
      shown.forEach(function (key) { dismissed[key] = true; });
    }
  }
  var ack = $("alarm-ack");
  if (ack) { ack.addEventListener("click", acknowledge); }

  var shown = [];
  var known = null;  // the unseen files at the last look, to beep at a new one
  function showAlarms(alarms) {
    if (!alarms) { return; }
    var link = $("alarm-count");
    if (link) {
      var n = $("alarm-count-n");
      if (alarms.unseen && !n) {
        n = document.createElement("b");
        n.id = "alarm-count-n";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(n);
      }
      if (n) { n.textContent = alarms.unseen ? String(alarms.unseen) : ""; }
      link.classList.toggle("on", !!alarms.unseen);
      link.title = alarms.unseen_text;
    }
    var fault = $("fault");
    if (fault) {
      fault.hidden = !alarms.fault;
      $("fault-text").textContent = alarms.fault ? alarms.fault.message : "";
      $("fault-detail").textContent = alarms.fault ? alarms.fault.detail : "";
    }
    var fresh = alarms.files.filter(function (f) { return !dismissed[f.name + "@" + f.at]; });
    var current = {};
    alarms.files.forEach(function (f) { current[f.name + "@" + f.at] = true; });
    if (known !== null && alarms.files.some(function (f) { return !known[f.name + "@" + f.at]; })) {
      beep();
    }
    known = current;
    if (!$("alarm")) { return; }
    if (fresh.length) {
      shown = fresh.map(function (f) { return f.name + "@" + f.at; });
      raise(fresh[0].message + (fresh.length > 1 ? " (+" + (fresh.length - 1) + ")" : ""));
    } else if (shown.length && !$("alarm").hidden && !pieceAlarm) {
      $("alarm").hidden = true;
      document.body.classList.remove("alarmed");
    }
  }

  var pieceAlarm = false;
  var now = $("now");
  var countLink = $("alarm-count");
  if (!now) {
    // Not the live screen: the header's count and the fault banner are looked up now and then.
    if (countLink && countLink.dataset.poll) {
      setInterval(function () {
        fetch(countLink.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(showAlarms)
          .catch(function () { /* the server restarts: next time */ });
      }, 5000);
    }
    return;
  }

  // ------------------------------------------------------------ live screen
  var words = JSON.parse($("live-words").textContent);
  var after = parseInt(now.dataset.after, 10) || 0;
  var notices = parseInt(now.dataset.notices, 10) || 0;
  var field = scanField;

  function fill(template, values) {
    var out = template;
    Object.keys(values).forEach(function (k) { out = out.split("{" + k + "}").join(values[k]); });
    return out;
  }

  // The hand scanner types into this field: keep it focused unless the operator is elsewhere.
  function refocus() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== field && isField(active)) { return; }
    field.focus();
  }
  if (field) {
    field.focus();
    field.addEventListener("blur", function () { setTimeout(refocus, 150); });
  }

  function counted(key, n) {
    var forms = words.counts[key];
    var one = n === 1 || n === 0 && forms.zero_is_one;
    return (one ? forms.one : forms.other).split("{count}").join(String(n));
  }

  function countsText(counts) {
    var parts = [];
    ["routed", "review", "rejected"].forEach(function (k) {
      parts.push(counted(k, counts[k] || 0));
    });
    // Blank backs and picture sides stay with their paper: counted apart, only when there are.
    ["blank_side", "picture_side"].forEach(function (k) {
      if (counts[k]) { parts.push(counted(k, counts[k])); }
    });
    return parts.join(" · ");
  }

  var operatorBox = $("operator");
  function showState(state) {
    $("batch-label").textContent = state.batch ? state.batch.label : words.no_batch;
    $("counts-batch").textContent = countsText(state.counts.batch || {});
    $("counts-today").textContent = countsText(state.counts.today || {});
    $("review-count").textContent = state.review;
    $("waiting").textContent = counted("file_waiting", state.waiting);
    if (operatorBox) {
      $("operator-text").textContent = state.operator ? fill(words.operator, {name: state.operator})
                                                      : words.no_operator;
      $("operator-form").hidden = state.operator === operatorBox.dataset.me;
    }
  }

  function why(piece) {
    var text = piece.side_note || piece.reasons.join(", ");
    if (piece.duplicate) { text = words.duplicate + (text ? " · " + text : ""); }
    return text;
  }

  function render(piece) {
    var li = $("piece-template").content.firstElementChild.cloneNode(true);
    li.dataset.id = piece.id;
    li.classList.add(piece.duplicate ? "duplicate" : piece.status);
    li.querySelector("img").src = piece.image;
    li.querySelector(".tray").textContent = piece.tray || "";
    li.querySelector(".ref").textContent = piece.ref;
    li.querySelector(".what").textContent = piece.side_note ? piece.status_label
      : (piece.case || piece.status_label) + " · " + piece.kind;
    li.querySelector(".where").textContent = piece.destination;
    li.querySelector(".why").textContent = why(piece);
    if (piece.review) {
      var link = document.createElement("a");
      link.href = piece.review;
      link.textContent = words.review_link;
      li.appendChild(link);
    }
    return li;
  }

  // The big panel: every page of the newest file, each with its tray; the lead page (the first
  // that is a piece, not a blank back or a picture side) gives the big tray.
  var filePages = {};
  function showFile(piece) {
    if (now.dataset.file !== piece.file) {
      now.dataset.file = piece.file;
      filePages = {};
    }
    filePages[piece.page] = piece;
    var pages = Object.keys(filePages).map(Number).sort(function (a, b) { return a - b; })
      .map(function (n) { return filePages[n]; });
    var lead = pages.filter(function (p) { return !p.side_note; })[0] || pages[pages.length - 1];
    var list = $("now-pages");
    list.textContent = "";
    pages.forEach(function (p) {
      var li = $("page-template").content.firstElementChild.cloneNode(true);
      li.classList.add(p.duplicate ? "duplicate" : p.status);
      if (p === lead) { li.classList.add("lead"); }
      li.dataset.id = p.id;
      li.dataset.page = p.page;
      li.querySelector("img").src = p.image;
      li.querySelector(".page-no").textContent = p.page_label;
      li.querySelector(".page-tray").textContent = p.tray || "";
      li.querySelector(".page-what").textContent = p.side_note ||
        ((p.case || p.status_label) + " · " + p.kind);
      list.appendChild(li);
    });
    $("now-tray").textContent = lead.tray || (lead.side_note ? "" : "—");
    $("now-case").textContent = lead.case ? lead.case + " — " + (lead.person || "") : lead.status_label;
    $("now-detail").textContent = lead.kind + " · " + lead.destination;
    $("now-reasons").textContent = why(lead);
    $("now-file").textContent = fill(words.file, {name: lead.source});
    now.className = "now " + (lead.duplicate ? "duplicate" : lead.status);
  }

  function show(piece) {
    var list = $("pieces");
    var old = list.querySelector('li[data-id="' + piece.id + '"]');
    var li = render(piece);
    if (old && piece.duplicate) { old.remove(); }
    else if (old) { old.replaceWith(li); return; }
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 40) { list.removeChild(list.lastChild); }
    showFile(piece);
    if (piece.status === "rejected" && piece.tray && !piece.duplicate) {
      pieceAlarm = true;
      shown = [];
      raise(fill(words.rejected_file, {ref: piece.ref, name: piece.source,
                                       reasons: piece.reasons.join(", ")}));
      beep();
    }
  }

  var busy = false;
  function poll() {
    if (busy) { return; }
    busy = true;
    fetch(now.dataset.feed + "?after=" + after + "&notices=" + notices,
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/signin?next=/live"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        after = data.after;
        notices = data.notices;
        data.pieces.forEach(show);
        data.alarms.forEach(function (a) { pieceAlarm = true; shown = []; raise(a.message); beep(); });
        showAlarms(data.quarantine);
        showState(data);
      })
      .catch(function () { /* the server restarts: try again at the next tick */ })
      .finally(function () { busy = false; });
  }
  var ackButton = $("alarm-ack");
  if (ackButton) { ackButton.addEventListener("click", function () { pieceAlarm = false; }); }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { pieceAlarm = false; }
  });
  showState(JSON.parse($("live-state").textContent));
  setInterval(poll, 250);
}());
