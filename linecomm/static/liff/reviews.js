/* Review form: a live character counter under the text (counted as the server counts: characters, not
 * UTF-16 units). Delegated on document, so a page main replaced by pages.js keeps it; the server renders
 * the first count and validates on its own. */
(function () {
  "use strict";
  function update(area) {
    var counter = document.querySelector('[data-counter-for="' + area.id + '"]');
    if (!counter) { return; }
    var max = parseInt(area.getAttribute("data-count-max"), 10);
    var min = parseInt(area.getAttribute("data-count-min"), 10);
    var length = Array.from(area.value.trim()).length;
    counter.textContent = length + " / " + max + "文字" + (length && length < min ? "（あと" + (min - length) + "文字）" : "");
    counter.classList.toggle("rv-counter--over", length > max);
  }
  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area && area.matches && area.matches("textarea[data-count-max]")) { update(area); }
  });
})();
