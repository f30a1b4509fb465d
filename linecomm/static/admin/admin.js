// Progressive enhancements for the admin console. Every page works without this file.
(function () {
  "use strict";

  // Ask before dangerous actions: data-confirm on a form or on the button that submits it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // The NG-word test box answers as you type (the form still works as a plain GET).
  var testForm = document.querySelector("form[data-ng-test]");
  var result = document.querySelector("[data-ng-result]");
  if (testForm && result && window.fetch) {
    var field = testForm.querySelector("textarea[name=text]");
    var timer = null;
    var render = function (data) {
      result.textContent = "";
      var p = document.createElement("p");
      var badge = document.createElement("span");
      badge.className = "adm-badge adm-badge--" + (data.action ? "ng-" + data.action : "published");
      badge.textContent = data.action ? data.label : "該当なし";
      p.appendChild(badge);
      var text = data.action
        ? " 該当：" + data.matches.map(function (m) { return "「" + m.term + "」（" + m.label + "）"; }).join("、")
        : " NGワードは含まれていません。";
      p.appendChild(document.createTextNode(text));
      result.appendChild(p);
    };
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (!field.value.trim()) {
          result.textContent = "";
          return;
        }
        var url = testForm.getAttribute("data-ng-test") + "?text=" + encodeURIComponent(field.value);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data) { render(data); } })
          .catch(function () {});
      }, 250);
    });
  }
})();
