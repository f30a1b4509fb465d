/* Idea forms: a live "n / max" counter under each counted field (data-counted), counted in characters as
 * the server counts them (code points). Delegated on document, so a main replaced by pages.js keeps it. */
(function () {
  "use strict";
  function update(field) {
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!counter) { return; }
    var max = parseInt(field.getAttribute("maxlength") || "0", 10);
    var length = Array.from(field.value).length;
    counter.textContent = length + " / " + max;
    counter.classList.toggle("id-counter--over", max > 0 && length > max);
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-counted")) { update(field); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-counted]"), update);
})();
