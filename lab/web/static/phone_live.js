// The phone's live results: after a vote, "your vote: X" and, once the presenter reveals
// them, bars for the mock's lie and PostgreSQL's truth, redrawn from every "results"
// message of the phones' room (at most two a second). The server sends one catch-up
// message at each (re)connect, so the phone never asks; reconnection backs off with
// jitter, so a thousand phones losing the Wi-Fi together don't come back together.
// Every message names the round of votes: the phone keeps the round it voted in (in the
// page's storage, so a reload remembers it too), and when a Reset Everything starts a new
// round, live or while it was offline, it forgets its vote and shows the ballot again.
(function () {
  "use strict";
  var VOTED_KEY = "tcmagic-voted";
  var $ = function (id) { return document.getElementById(id); };
  var labels = {};
  Array.prototype.forEach.call(document.querySelectorAll(".choice"), function (button) {
    labels[button.dataset.option] = button.textContent;
  });
  var state = {results: null, round: null, voted: recall(), connected: false};

  function recall() {  // {round, option} of this phone's vote, or null
    try { return JSON.parse(localStorage.getItem(VOTED_KEY)); } catch (error) { return null; }
  }

  function remember(voted) {
    state.voted = voted;
    try {
      if (voted) { localStorage.setItem(VOTED_KEY, JSON.stringify(voted)); } else { localStorage.removeItem(VOTED_KEY); }
    } catch (error) { /* private mode without storage: the vote is remembered until the page closes */ }
  }

  // one bar: tag | track | number, in the results' shared grid (show.css)
  function bar(kind, count, most) {
    var row = document.createElement("div");
    row.className = "bar " + kind;
    var tag = document.createElement("i");
    tag.textContent = kind === "lie" ? "Mock" : "Postgres";
    var track = document.createElement("span");
    track.className = "track";
    var fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = (most && count ? 100 * count / most : 0) + "%";
    track.appendChild(fill);
    var number = document.createElement("b");
    number.textContent = count === null ? "?" : count.toLocaleString("en-US");
    row.appendChild(tag);
    row.appendChild(track);
    row.appendChild(number);
    return row;
  }

  function draw() {
    var results = state.results;
    var mine = state.voted && state.voted.option;
    var bars = $("live-bars");
    bars.textContent = "";
    $("live").hidden = !state.voted;
    document.body.classList.toggle("voted", Boolean(state.voted));
    $("your-vote").textContent = mine ? "Your vote: " + labels[mine] : "";
    $("your-vote").hidden = !mine;
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
    $("live-state").textContent = words + results.words;
    $("live-legend").hidden = false;
    var most = 0;
    Object.keys(results.counts).forEach(function (id) {
      most = Math.max(most, results.counts[id].real || 0, results.counts[id].fantasy);
    });
    Object.keys(labels).forEach(function (id) {
      var count = results.counts[id] || {real: 0, fantasy: 0};
      var group = document.createElement("div");
      group.className = "option" + (id === mine ? " mine" : "");
      group.dataset.option = id;
      var label = document.createElement("div");
      label.className = "label";
      label.textContent = labels[id];
      group.appendChild(label);
      group.appendChild(bar("lie", count.fantasy, most));  // the legend's order, the projector's too
      group.appendChild(bar("truth", count.real, most));
      bars.appendChild(group);
    });
  }

  function hear(results) {
    state.results = results;
    state.round = results.round;
    if (state.voted && state.voted.round === null) {  // voted before the first message: that round
      remember({round: results.round, option: state.voted.option});
    } else if (state.voted && state.voted.round !== results.round) {  // a reset: the vote was erased
      remember(null);
      document.dispatchEvent(new CustomEvent("tcmagic:new-round"));
    }
    draw();
  }

  // vote.js says when a vote got an answer: the panel appears once the phone has voted
  document.addEventListener("tcmagic:voted", function (event) {
    var status = event.detail.status;
    if (status === "accepted") {
      remember({round: state.round, option: event.detail.option});
    } else if (status === "duplicate") {  // voted in this round before: keep what it chose, if this page knew
      remember({round: state.round, option: state.voted && state.voted.round === state.round ? state.voted.option : null});
    }
    draw();
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
  socket.on("results", hear);
  draw();
  window.phoneLive = {state: state, socket: socket};
})();
