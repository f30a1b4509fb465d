// Progressive enhancements for the pushes pages. Every page works without this file: the count and
// the progress are rendered by the server, and every form posts normally.
(function () {
  "use strict";

  var SEGMENT_FIELDS = ["cohort", "tag", "exclude_tag", "joined_from", "joined_to", "active_within", "inactive_for",
    "answered_survey", "answered_choice", "reviewed_product", "supported_an_idea", "asked_or_answered",
    "rank_at_least", "points_at_least"];

  function number(value) {
    return value === null || value === undefined ? "—" : Number(value).toLocaleString("ja-JP");
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    });
  }

  // The live recipient count while the marketer edits the segment.
  var compose = document.querySelector("form[data-count-url]");
  if (compose && window.fetch) {
    var panel = document.querySelector("[data-count-panel]");
    var over = panel.querySelector("[data-count-over]");
    var problem = panel.querySelector("[data-count-error]");
    var remaining = compose.getAttribute("data-quota-remaining");
    var timer = null;
    var asked = 0;
    var refresh = function () {
      var params = new URLSearchParams();
      new FormData(compose).forEach(function (value, name) {
        if (SEGMENT_FIELDS.indexOf(name) >= 0 && String(value).trim()) {
          params.append(name, value);
        }
      });
      var mine = ++asked;
      panel.setAttribute("aria-busy", "true");
      getJSON(compose.getAttribute("data-count-url") + "?" + params.toString())
        .then(function (res) {
          if (mine !== asked) { return; }  // an older answer arriving late
          panel.removeAttribute("aria-busy");
          problem.hidden = res.ok;
          problem.textContent = res.ok ? "" : res.data.error;
          if (!res.ok) { return; }
          ["matched", "over_cap", "billable"].forEach(function (key) {
            panel.querySelector('[data-count="' + key + '"]').textContent = number(res.data[key]);
          });
          over.hidden = !(remaining !== "" && res.data.billable > Number(remaining));
        })
        .catch(function () { panel.removeAttribute("aria-busy"); });
    };
    var changed = function (event) {
      if (SEGMENT_FIELDS.indexOf(event.target.name) < 0) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    };
    compose.addEventListener("input", changed);
    compose.addEventListener("change", changed);
  }

  // The schedule form shows only the fields of the chosen timing.
  var schedule = document.querySelector("form[data-schedule]");
  if (schedule) {
    var showFor = function () {
      var checked = schedule.querySelector("input[name=kind]:checked");
      var kind = checked ? checked.value : "now";
      schedule.querySelectorAll("[data-when]").forEach(function (el) {
        el.hidden = el.getAttribute("data-when").split(" ").indexOf(kind) < 0;
      });
    };
    schedule.addEventListener("change", showFor);
    showFor();
  }

  // Live progress of a delivery: poll the JSON endpoint until the delivery is over.
  var progress = document.querySelector("[data-progress-url]");
  if (progress && window.fetch) {
    var url = progress.getAttribute("data-progress-url");
    var waiting = progress.querySelector("[data-waiting]");
    var link = progress.querySelector("[data-delivery-link]");
    var controls = document.querySelectorAll("[data-show-when]");
    var fill = function (d) {
      progress.querySelectorAll("[data-field]").forEach(function (el) {
        var key = el.getAttribute("data-field");
        var value = d[key];
        if (key === "done_percent") {
          el.value = value;
          el.textContent = value + "%";
        } else if (key === "error" || key === "notice") {
          el.hidden = !value;
          el.textContent = value || "";
        } else if (key === "status_label") {
          el.textContent = value;
          el.className = "adm-badge adm-badge--" + d.status;
        } else if (key === "rate" || key === "eta_label") {
          el.textContent = value === null || value === undefined ? "—" : String(value);
        } else {
          el.textContent = number(value);
        }
      });
      controls.forEach(function (form) {
        form.hidden = form.getAttribute("data-show-when").split(" ").indexOf(d.status) < 0;
      });
    };
    var poll = function () {
      getJSON(url)
        .then(function (res) {
          if (!res.ok) { return true; }
          var data = res.data.delivery !== undefined ? res.data.delivery : res.data;
          if (res.data.delivery_url && link) {
            link.href = res.data.delivery_url;
            link.hidden = false;
          }
          if (!data) {
            if (waiting) { waiting.hidden = false; }
            // A post that is no longer waiting for its first delivery (cancelled, say) stops the polling.
            return res.data.post_status === "scheduled" || res.data.post_status === "sending";
          }
          if (waiting) { waiting.hidden = true; }
          fill(data);
          if (data.finished && progress.hasAttribute("data-reload-when-done")) {
            // The rest of the page (status, buttons, records) was drawn before the end: draw it again.
            window.setTimeout(function () { window.location.reload(); }, 1500);
          }
          return !data.finished;
        })
        .catch(function () { return true; })
        .then(function (again) {
          if (again) { window.setTimeout(poll, 1000); }
        });
    };
    poll();
  }
})();
