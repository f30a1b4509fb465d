// The survey builder: hides the choice inputs of questions whose kind takes none (they are still posted,
// and the server ignores blank ones). Everything works without this script.
(function () {
  "use strict";
  var withChoices = { single: true, multiple: true };
  function sync(question) {
    var kind = question.querySelector("[data-kind]");
    var choices = question.querySelector("[data-choices]");
    if (!kind || !choices) return;
    choices.hidden = !withChoices[kind.value];
    choices.removeAttribute("data-unused");
  }
  document.querySelectorAll("[data-survey-builder] [data-question]").forEach(function (question) {
    sync(question);
    var kind = question.querySelector("[data-kind]");
    if (kind) kind.addEventListener("change", function () { sync(question); });
  });
})();
