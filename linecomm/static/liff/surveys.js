/* Survey pages: show a question that hangs on a choice (data-show-if) only while that choice is picked on
 * a question shown above it. The server decides the same on its own: this only spares the member a
 * question that does not apply. Delegated on document, so a page main replaced by pages.js keeps it. */
(function () {
  "use strict";
  function apply() {
    var picked = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-question]"), function (question) {
      var condition = question.getAttribute("data-show-if");
      var show = !condition || picked[condition] === true;
      question.hidden = !show;
      if (show) {
        Array.prototype.forEach.call(question.querySelectorAll("input[data-choice]:checked"), function (input) {
          picked[input.value] = true;
        });
      }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.closest && event.target.closest("[data-question]")) { apply(); }
  });
  apply();
})();
