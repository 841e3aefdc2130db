// The phone's ballot: POST the tapped option, then say what the server answered.
(function () {
  "use strict";
  var outcome = document.getElementById("outcome");
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".choice"));

  function say(text, status) {
    outcome.textContent = text;
    outcome.className = "outcome " + status;
  }

  function vote(option) {
    buttons.forEach(function (b) { b.disabled = true; });
    say("Sending your vote...", "pending");
    fetch("/api/vote", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({option: option})
    }).then(function (response) {
      return response.json().catch(function () {
        return {status: "error", message: "The server answered " + response.status + ": try again."};
      });
    }).then(function (answer) {
      say(answer.message, answer.status);
      document.dispatchEvent(new CustomEvent("tcmagic:voted", {detail: {option: option, status: answer.status}}));
    }).catch(function () {
      say("No connection to the show: check your Wi-Fi and tap again.", "error");
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () { vote(button.dataset.option); });
  });

  // phone_live.js says a reset erased this phone's vote: the ballot as it first was
  var first = {text: outcome.textContent, status: outcome.className.replace("outcome", "").trim()};
  document.addEventListener("tcmagic:new-round", function () {
    say(first.text, first.status);
    buttons.forEach(function (b) { b.disabled = false; });
  });
})();
