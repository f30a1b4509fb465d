/* Q&A forms: a live counter under each field with data-counter="<limit>" ("12 / 60文字"), red past the
 * limit. The server checks the same limit and says so beside the field. Delegated on document, so a
 * page main replaced by pages.js keeps it. */
(function () {
  "use strict";
  function counterFor(field) {
    var next = field.nextElementSibling;
    if (next && next.classList.contains("qa-counter")) { return next; }
    var counter = document.createElement("p");
    counter.className = "qa-counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    return counter;
  }
  function update(field) {
    var limit = parseInt(field.getAttribute("data-counter"), 10);
    var length = Array.from(field.value).length;
    var counter = counterFor(field);
    var text = length + " / " + limit + "文字";
    if (counter.textContent !== text) { counter.textContent = text; }  // unchanged: no mutation, no loop
    if (counter.classList.contains("qa-counter--over") !== length > limit) {
      counter.classList.toggle("qa-counter--over", length > limit);
    }
  }
  function all() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), update);
  }
  document.addEventListener("input", function (event) {
    if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-counter")) { update(event.target); }
  });
  new MutationObserver(all).observe(document.documentElement, { childList: true, subtree: true });
  all();
})();
