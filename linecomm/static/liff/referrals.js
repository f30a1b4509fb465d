/* The invite page's share button: LINE's share target picker (liff.shareTargetPicker) with a text message
 * carrying the member's invite link; on success the app records that an invite was sent. */
(function () {
  "use strict";
  function show(box, text) { box.textContent = text; box.hidden = false; }

  function record(button) {
    var data = new FormData();
    return fetch(button.getAttribute("data-shared-url"), {
      method: "POST", credentials: "same-origin", body: data, headers: { "Accept": "application/json" }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-share]") : null;
    if (!button) { return; }
    var box = document.querySelector("[data-share-result]");
    if (!window.liff || !liff.ready) { show(box, button.getAttribute("data-unavailable")); return; }
    button.disabled = true;
    liff.ready.then(function () {
      if (!liff.isApiAvailable("shareTargetPicker")) { show(box, button.getAttribute("data-unavailable")); return; }
      return liff.shareTargetPicker([{ type: "text", text: button.getAttribute("data-message") }]).then(function (result) {
        if (!result) { return; }  // the member closed the picker without sending
        return record(button).then(function (response) {
          show(box, response.ok ? button.getAttribute("data-done") : button.getAttribute("data-failed"));
          if (response.ok) { box.setAttribute("data-shared", ""); }
        });
      });
    }).catch(function () {
      show(box, button.getAttribute("data-failed"));
    }).then(function () { button.disabled = false; });
  });
})();
