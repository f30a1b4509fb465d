/* Stand-in LIFF SDK (window.liff) for demos and tests on the fake LINE platform; served by the app only
 * when its LINE base URLs are the fake's. It behaves as LINE's SDK does for the calls linecomm's pages use:
 *   init({liffId})       forwards ?liff.state=... to endpoint + state (LINE's secondary redirect) and never
 *                        resolves then; otherwise fetches an ID token for the simulated user from the app,
 *                        which asks the fake platform (so the token is signed, has aud and exp like LINE's).
 *   isInClient()         true while a simulated LINE user is remembered (we play the LINE app).
 *   isLoggedIn()         true when init got an ID token.
 *   login({redirectUri}) the stand-in's login screen (choose a LINE user), then back to redirectUri.
 *   getIDToken()         the ID token init got (like LINE's SDK, the same one until the next init).
 *   closeWindow()        tells a parent frame (the demo console) and shows that the window closed.
 *   sendMessages(msgs)   the user's text messages into their chat (fake conversation + webhook).
 *   shareTargetPicker(m) resolves {status: "success"} (nobody real to share with) and keeps the messages in
 *                        liff.sharedMessages; 0 or more than 5 messages are refused as LINE does.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var config = {
    endpoint: script.getAttribute("data-endpoint") || "/liff/",
    tokenUrl: script.getAttribute("data-token-url"),
    loginUrl: script.getAttribute("data-login-url"),
    messagesUrl: script.getAttribute("data-messages-url")
  };
  var state = { ready: false, inClient: false, idToken: null, liffId: null, markReady: null };

  function error(code, message) {
    var e = new Error(message);
    e.code = code;
    return e;
  }

  function secondaryRedirect() {
    var params = new URLSearchParams(location.search);
    var target = params.get("liff.state");
    if (target === null) { return false; }
    var base = config.endpoint.replace(/\/$/, "");
    if (target.charAt(0) === "/" && target.charAt(1) !== "/" && target.indexOf("\\") < 0) {
      location.replace(base + target);
    } else if (target.charAt(0) === "?" || target.charAt(0) === "#") {
      location.replace(config.endpoint + target);
    } else {
      location.replace(config.endpoint);
    }
    return true;
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw error(String(response.status), data.error || "stand-in LIFF request failed"); }
        return data;
      });
    });
  }

  var liff = {
    id: null,
    ready: null,
    init: function (options) {
      if (!options || !options.liffId) { return Promise.reject(error("INVALID_CONFIG", "liffId is necessary for liff.init()")); }
      state.liffId = liff.id = options.liffId;
      if (secondaryRedirect()) { return new Promise(function () {}); }
      return post(config.tokenUrl).then(function (data) {
        state.idToken = data.idToken || null;
        state.inClient = Boolean(data.inClient);
        state.ready = true;
        state.markReady();
      }, function (e) {
        throw error("INIT_FAILED", e.message);
      });
    },
    isInClient: function () { return state.inClient; },
    isLoggedIn: function () { return Boolean(state.idToken); },
    login: function (options) {
      var back = (options && options.redirectUri) || location.href;
      location.assign(config.loginUrl + "?redirectUri=" + encodeURIComponent(back));
    },
    logout: function () { state.idToken = null; },
    getIDToken: function () { return state.idToken; },
    getDecodedIDToken: function () {
      if (!state.idToken) { return null; }
      var part = state.idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    },
    getOS: function () { return "web"; },
    getLanguage: function () { return navigator.language || "ja"; },
    getVersion: function () { return "stand-in"; },
    closeWindow: function () {
      if (window.parent !== window) { window.parent.postMessage({ type: "liff:closeWindow" }, location.origin); }
      document.body.setAttribute("data-liff-closed", "");
      var main = document.getElementById("lf-main") || document.body;
      main.textContent = "LIFFアプリを閉じました（疑似LINE）。";
    },
    sendMessages: function (messages) {
      if (!state.inClient) { return Promise.reject(error("FORBIDDEN", "sendMessages is available in the LINE app only")); }
      return post(config.messagesUrl, { messages: messages }).then(function () { return undefined; });
    },
    shareTargetPicker: function (messages) {
      if (!state.idToken) { return Promise.reject(error("UNAUTHORIZED", "need to login")); }
      if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) {
        return Promise.reject(error("INVALID_ARGUMENT", "messages must be 1 to 5 message objects"));
      }
      liff.sharedMessages.push(messages);  // what was "sent", for demos and tests to read
      return Promise.resolve({ status: "success" });
    },
    sharedMessages: [],
    isApiAvailable: function (name) { return name === "shareTargetPicker"; }
  };
  liff.ready = new Promise(function (resolve) { state.markReady = resolve; });
  window.liff = liff;
})();
