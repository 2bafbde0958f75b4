// botbridge page behaviour. Everything here is an enhancement: every page
// works with JavaScript off. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // Confirm destructive actions: <form data-confirm="text">.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });

  // Copy buttons: <button data-copy="#element-id">.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.querySelector(btn.getAttribute("data-copy"));
    if (!el) return;
    var text = el.value !== undefined ? el.value : el.textContent;
    var done = function () {
      var old = btn.textContent;
      btn.textContent = btn.getAttribute("data-copied") || "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (el.select) { el.select(); }
      });
    } else if (el.select) {
      el.select();
      document.execCommand("copy");
      done();
    }
  });

  // Show/hide dependent fields: an input or select with data-toggle-group
  // shows elements whose data-show-when equals its value, and disables the
  // inputs inside hidden ones so they are neither required nor sent.
  function applyToggles(root) {
    var controls = root.querySelectorAll("[data-toggle-group]");
    controls.forEach(function (ctl) {
      if ((ctl.type === "radio" || ctl.type === "checkbox") && !ctl.checked) return;
      var group = ctl.getAttribute("data-toggle-group");
      document.querySelectorAll('[data-show-group="' + group + '"]').forEach(function (el) {
        var show = el.getAttribute("data-show-when") === ctl.value;
        el.hidden = !show;
        el.querySelectorAll("input, select, textarea").forEach(function (inp) {
          inp.disabled = !show;
        });
      });
    });
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-toggle-group]")) {
      applyToggles(document);
    }
  });
  // Tell the server the browser's time zone, so dates are shown in it
  // until the account chooses one (without JavaScript: Moscow time).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && /^[A-Za-z0-9_+\/-]{1,64}$/.test(tz) && document.cookie.indexOf("bb_tz=" + tz) === -1) {
      document.cookie = "bb_tz=" + tz + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the server's default applies */ }

  // Self-refreshing parts (the activity log's list, a chat's transcript):
  // every few seconds while the tab is visible, the server's fragment of
  // the part replaces it. Without JavaScript the "Refresh" link reloads.
  function startRefresh(el) {
    var url = el.getAttribute("data-refresh-url");
    var busy = false;
    var tick = function () {
      if (busy || document.hidden || !document.body.contains(el)) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        busy = false;
        if (html === null) return;
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.firstElementChild;
        if (fresh && fresh.id === el.id && fresh.innerHTML !== el.innerHTML) {
          // Keep open <details> open across the swap.
          var open = {};
          el.querySelectorAll("[id] details[open]").forEach(function (d) { open[d.closest("[id]").id] = true; });
          el.innerHTML = fresh.innerHTML;
          Object.keys(open).forEach(function (id) {
            var d = document.getElementById(id);
            if (d && d.querySelector("details")) d.querySelector("details").open = true;
          });
        }
      }, function () { busy = false; });
    };
    setInterval(tick, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh-url]").forEach(startRefresh);
    applyToggles(document);
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
