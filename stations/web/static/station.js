// The station's only script: the live feed, the hand-scanner field, the review keys.
// Text from the server is always set with textContent, never as HTML.
"use strict";

(function () {
  function $(id) { return document.getElementById(id); }

  // ------------------------------------------------------------ shared keys
  function typing(event) {
    var el = event.target;
    return el && (el.tagName === "INPUT" && el.type !== "radio" || el.tagName === "TEXTAREA" ||
                  el.tagName === "SELECT");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    if (event.key === "Escape") {
      acknowledge();
      if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
      return;
    }
    if (typing(event)) { return; }
    var target = document.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
    if (!target) { return; }
    event.preventDefault();
    if (target.type === "radio") { target.checked = true; return; }
    if (target.id === "zoom") { toggleZoom(); return; }
    if (target.tagName === "A") { window.location.assign(target.href); return; }
    if (target.form && target.form.requestSubmit) { target.form.requestSubmit(target); }
    else { target.click(); }
  });

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

  // ------------------------------------------------------------ live screen
  var now = $("now");
  if (!now) { return; }
  var words = JSON.parse($("live-words").textContent);
  var after = parseInt(now.dataset.after, 10) || 0;
  var notices = parseInt(now.dataset.notices, 10) || 0;
  var field = $("kit-code");

  // The hand scanner types into this field: keep it focused unless the operator is elsewhere.
  function refocus() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== field &&
        (active.tagName === "INPUT" || active.tagName === "SELECT" || active.tagName === "TEXTAREA")) { return; }
    field.focus();
  }
  field.focus();
  field.addEventListener("blur", function () { setTimeout(refocus, 150); });
  document.addEventListener("keydown", function (event) {
    if (document.activeElement !== field && !typing(event) && event.key.length === 1 &&
        !event.ctrlKey && !event.metaKey && !event.altKey) { field.focus(); }
  }, true);

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

  function alarm(message) {
    var box = $("alarm");
    $("alarm-text").textContent = message;
    box.hidden = false;
    document.body.classList.add("alarmed");
    beep();
  }

  function acknowledge() {
    var box = $("alarm");
    if (box) { box.hidden = true; document.body.classList.remove("alarmed"); }
  }
  var ack = $("alarm-ack");
  if (ack) { ack.addEventListener("click", acknowledge); }

  function countsText(counts) {
    var parts = [];
    ["routed", "review", "rejected"].forEach(function (k) {
      parts.push((counts[k] || 0) + " " + words[k]);
    });
    // Blank backs and picture sides stay with their paper: counted apart, only when there are.
    ["blank_side", "picture_side"].forEach(function (k) {
      if (counts[k]) { parts.push(counts[k] + " " + words[k]); }
    });
    return parts.join(" · ");
  }

  function showState(state) {
    $("batch-label").textContent = state.batch ? state.batch.label : words.no_batch;
    $("counts-batch").textContent = countsText(state.counts.batch || {});
    $("counts-today").textContent = countsText(state.counts.today || {});
    $("review-count").textContent = state.review;
    $("waiting").textContent = state.waiting;
  }

  function render(piece) {
    var li = $("piece-template").content.firstElementChild.cloneNode(true);
    li.dataset.id = piece.id;
    li.classList.add(piece.duplicate ? "duplicate" : piece.status);
    li.querySelector("img").src = piece.image;
    li.querySelector(".tray").textContent = piece.tray || "—";
    li.querySelector(".ref").textContent = piece.ref;
    li.querySelector(".what").textContent = (piece.case || piece.status_label) + " · " + piece.kind;
    li.querySelector(".where").textContent = piece.destination;
    var why = piece.reasons.join(", ");
    if (piece.duplicate) { why = words.duplicate + (why ? " · " + why : ""); }
    li.querySelector(".why").textContent = why;
    if (piece.review) {
      var link = document.createElement("a");
      link.href = piece.review;
      link.textContent = words.review_link;
      li.appendChild(link);
    }
    return li;
  }

  function show(piece) {
    var list = $("pieces");
    var old = list.querySelector('li[data-id="' + piece.id + '"]');
    var li = render(piece);
    if (old && piece.duplicate) { old.remove(); }
    else if (old) { old.replaceWith(li); return; }
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 40) { list.removeChild(list.lastChild); }
    $("now-tray").textContent = piece.tray || "—";
    $("now-case").textContent = piece.case ? piece.case + " — " + (piece.person || "") : piece.status_label;
    $("now-detail").textContent = piece.kind + " · " + piece.destination;
    $("now-reasons").textContent = li.querySelector(".why").textContent;
    now.className = "now " + (piece.duplicate ? "duplicate" : piece.status);
    if (piece.status === "rejected" && piece.tray && !piece.duplicate) {
      alarm(words.rejected_alarm + " " + piece.ref + " — " + piece.source + " : " + piece.reasons.join(", "));
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
        data.alarms.forEach(function (a) { alarm(a.message); });
        showState(data);
      })
      .catch(function () { /* the server restarts: try again at the next tick */ })
      .finally(function () { busy = false; });
  }
  showState(JSON.parse($("live-state").textContent));
  setInterval(poll, 250);
}());
