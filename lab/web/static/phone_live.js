// The phone's live results: after a vote, "your vote: X" and, once the presenter reveals
// them, bars for PostgreSQL's truth and the mock's lie, redrawn from every "results"
// message of the phones' room (at most two a second). The server sends one catch-up
// message at each (re)connect, so the phone never asks; reconnection backs off with
// jitter, so a thousand phones losing the Wi-Fi together don't come back together.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var labels = {};
  Array.prototype.forEach.call(document.querySelectorAll(".choice"), function (button) {
    labels[button.dataset.option] = button.textContent;
  });
  var state = {results: null, mine: null, connected: false};

  function bar(kind, count, most) {
    var row = document.createElement("div");
    row.className = "bar " + kind;
    var tag = document.createElement("i");
    tag.textContent = kind === "lie" ? "Mock" : "Postgres";
    var fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = (most ? Math.round(100 * (count || 0) / most) : 0) + "%";
    var number = document.createElement("b");
    number.textContent = count === null ? "?" : String(count);
    row.appendChild(tag);
    row.appendChild(fill);
    row.appendChild(number);
    return row;
  }

  function draw() {
    var results = state.results;
    var bars = $("live-bars");
    bars.textContent = "";
    $("your-vote").textContent = state.mine ? "Your vote: " + labels[state.mine] : "";
    $("your-vote").hidden = !state.mine;
    if (!results) {
      $("live-state").textContent = "Connecting to the live results...";
      return;
    }
    var words = state.connected ? "" : "Reconnecting... ";
    if (!results.visible) {
      $("live-state").textContent = words + "Results are hidden until the presenter reveals them.";
      $("live-legend").hidden = true;
      return;
    }
    $("live-state").textContent = words + "Live: PostgreSQL stored " +
      (results.totals.real === null ? "?" : results.totals.real) + " · the mock counted " + results.totals.fantasy;
    $("live-legend").hidden = false;
    var most = 0;
    Object.keys(results.counts).forEach(function (id) {
      most = Math.max(most, results.counts[id].real || 0, results.counts[id].fantasy);
    });
    Object.keys(labels).forEach(function (id) {
      var count = results.counts[id] || {real: 0, fantasy: 0};
      var group = document.createElement("div");
      group.className = "option" + (id === state.mine ? " mine" : "");
      group.dataset.option = id;
      var label = document.createElement("div");
      label.className = "label";
      label.textContent = labels[id];
      group.appendChild(label);
      group.appendChild(bar("truth", count.real, most));
      group.appendChild(bar("lie", count.fantasy, most));
      bars.appendChild(group);
    });
  }

  // vote.js says when a vote got an answer: the panel appears once the phone has voted
  document.addEventListener("tcmagic:voted", function (event) {
    if (event.detail.status === "accepted") { state.mine = event.detail.option; }
    if (event.detail.status === "accepted" || event.detail.status === "duplicate") {
      $("live").hidden = false;
      draw();
    }
  });

  var socket = io({
    auth: {role: "phone"},
    transports: ["websocket", "polling"],
    tryAllTransports: true,  // websocket first; polling if a proxy refuses it
    reconnectionDelay: 1000,
    reconnectionDelayMax: 15000,
    randomizationFactor: 0.5
  });
  socket.on("connect", function () { state.connected = true; draw(); });
  socket.on("disconnect", function () { state.connected = false; draw(); });
  socket.on("results", function (results) { state.results = results; draw(); });
})();
