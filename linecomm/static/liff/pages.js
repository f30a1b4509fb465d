/* The shared script of every LIFF page (no framework).
 * - Initialises the LIFF SDK (LINE's, or the stand-in on the fake platform). liff.init() itself forwards a
 *   deep link (?liff.state=...) to its page, as LINE does.
 * - The sign-in shell: outside LINE and not logged in → liff.login(); else POST the ID token to
 *   /liff/session and reload this URL. 401 → the refusal; 503 → the message and a retry button.
 * - Forms with data-liff-form are sent with fetch: 401 {reauth} → sign in again with the ID token and send
 *   the same data again (nothing typed is lost); a redirect navigates; an HTML answer replaces <main>;
 *   a JSON error is shown above it.
 */
(function () {
  "use strict";
  var body = document.body;
  var STASH = "lf-stash:";
  var ready = null;

  function status(message, retry) {
    var box = document.getElementById("lf-status");
    box.textContent = "";
    if (!message) { box.hidden = true; return; }
    var p = document.createElement("p");
    p.textContent = message;
    box.appendChild(p);
    if (retry) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "lf-button";
      button.textContent = "もう一度試す";
      button.setAttribute("data-liff-retry", "");
      button.addEventListener("click", function () { status(null); retry(); });
      box.appendChild(button);
    }
    box.hidden = false;
  }

  function init() {
    if (!ready) {
      if (!window.liff) {
        ready = Promise.reject(new Error("LIFF SDK not loaded"));
      } else {
        ready = window.liff.init({ liffId: body.getAttribute("data-liff-id") });
      }
    }
    return ready;
  }

  function readJson(response) {
    return response.json().catch(function () { return {}; });
  }

  /* Sign in with the SDK's ID token. Resolves {ok: true} or {ok: false, status, error}. */
  function signIn() {
    return init().then(function () {
      if (!liff.isInClient() && !liff.isLoggedIn()) {
        liff.login({ redirectUri: location.href });
        return new Promise(function () {});  // leaving the page
      }
      var token = liff.getIDToken();
      if (!token) { return { ok: false, status: 401, error: "LINEの認証情報を取得できませんでした。ページを開き直してください。" }; }
      return fetch(body.getAttribute("data-session-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ id_token: token })
      }).then(function (response) {
        if (response.ok) { return { ok: true }; }
        return readJson(response).then(function (data) {
          return { ok: false, status: response.status, error: data.error, expired: data.expired };
        });
      });
    });
  }

  function showSignInFailure(result, retry) {
    var message = result.error || "ただいまページを表示できません。少し時間をおいてお試しください。";
    status(message, result.status === 401 ? null : retry);
    var shell = document.querySelector("[data-signin]");
    if (shell) { shell.hidden = true; }
  }

  /* LINE's liff.init() forwards a deep link (?liff.state=/surveys/12) to its page; should it not have
   * (an older SDK, the LIFF URL in "Replace" mode), do it here, to a path under the entry only. */
  function followDeepLink() {
    var target = new URLSearchParams(location.search).get("liff.state");
    if (target === null) { return false; }
    var base = location.pathname.replace(/\/$/, "");
    var safe = target.charAt(0) === "/" && target.charAt(1) !== "/" && target.indexOf("\\") < 0;
    var query = target.charAt(0) === "?" || target.charAt(0) === "#";
    location.replace(safe ? base + target : location.pathname + (query ? target : ""));
    return true;
  }

  function runShell() {
    if (new URLSearchParams(location.search).has("liff.state")) {
      init().then(followDeepLink, function () { showSignInFailure({ status: 0 }, runShell); });
      return;
    }
    signIn().then(function (result) {
      if (result.ok) { location.replace(location.href); return; }
      showSignInFailure(result, runShell);
    }, function () {
      showSignInFailure({ status: 0, error: "LINEとの接続を開始できませんでした。通信環境をご確認のうえ、もう一度お試しください。" }, runShell);
    });
  }

  /* ---- forms ------------------------------------------------------------------------------------ */
  function fields(form) {
    var saved = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { saved.push([name, value]); }
    });
    return saved;
  }

  function stash(form) {
    try { sessionStorage.setItem(STASH + location.pathname, JSON.stringify({ action: form.getAttribute("action"), fields: fields(form) })); } catch (e) { /* private mode */ }
  }

  function restore() {
    var raw = null;
    try { raw = sessionStorage.getItem(STASH + location.pathname); sessionStorage.removeItem(STASH + location.pathname); } catch (e) { return; }
    if (!raw) { return; }
    var saved = JSON.parse(raw);
    var form = document.querySelector('form[data-liff-form][action="' + saved.action + '"]');
    if (!form) { return; }
    saved.fields.forEach(function (pair) {
      var field = form.elements.namedItem(pair[0]);
      if (field && field.type !== "hidden" && "value" in field && field.type !== "radio" && field.type !== "checkbox") {
        field.value = pair[1];
      } else if (field && field.length) {
        Array.prototype.forEach.call(field, function (choice) { if (choice.value === pair[1]) { choice.checked = true; } });
      }
    });
    status("LINEでの確認をやり直しました。入力内容をご確認のうえ、もう一度送信してください。");
  }

  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("lf-main");
    var main = document.getElementById("lf-main");
    if (!fresh || !main) { return false; }
    main.replaceWith(document.importNode(fresh, true));
    bindForms();
    var invalid = document.querySelector("#lf-main [aria-invalid=true]");
    if (invalid) { invalid.focus(); }
    return true;
  }

  function send(form, data, reauthed) {
    return fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "text/html, application/json" }
    }).then(function (response) {
      if (response.status === 401 && !reauthed) {
        return readJson(response).then(function (answer) {
          if (!answer.reauth) { status(answer.error); return; }
          return signIn().then(function (result) {
            if (result.ok) { return send(form, data, true); }
            if (result.status === 401) { stash(form); location.reload(); return; }  // a fresh ID token comes with init
            showSignInFailure(result, function () { send(form, data, false); });
          });
        });
      }
      if (response.redirected) { location.assign(response.url); return; }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") === 0) {
        return response.text().then(function (html) {
          status(null);
          if (!replaceMain(html)) { status("ページを更新できませんでした。開き直してください。"); }
        });
      }
      return readJson(response).then(function (answer) {
        status(answer.error || "送信できませんでした。もう一度お試しください。",
               response.status === 503 ? function () { send(form, data, false); } : null);
      });
    }, function () {
      status("送信できませんでした。通信環境をご確認のうえ、もう一度お試しください。", function () { send(form, data, false); });
    });
  }

  function bindForms() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-liff-form]"), function (form) {
      if (form.hasAttribute("data-bound")) { return; }
      form.setAttribute("data-bound", "");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("[type=submit]");
        if (button) { button.disabled = true; }
        send(form, new FormData(form), false).then(function () {
          if (button && document.body.contains(button)) { button.disabled = false; }
        });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-liff-close]"), function (button) {
      button.addEventListener("click", function () {
        init().then(function () { liff.closeWindow(); }, function () { history.back(); });
      });
    });
  }

  var kind = body.getAttribute("data-page");
  if (kind === "signin") {
    runShell();
  } else if (kind !== "standin-login") {
    init().catch(function () { /* member pages work without the SDK until they must sign in again */ });
    bindForms();
    restore();
  }
})();
