// The projector dashboard: draws what the server sends over Socket.IO, and turns the
// presenter's keys into presenter API calls. The secret arrives in the URL fragment
// (#token=...), which browsers never send to a server; it is kept in this tab only.
(function () {
  "use strict";
  var TOKEN_KEY = "tcmagic-presenter-token";
  var state = {stage: null, stageAt: 0, results: null, notes: false, status: null, tests: null, facts: null};
  var $ = function (id) { return document.getElementById(id); };

  function takeToken() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }
  var token = takeToken();
  state.notes = Boolean(token);

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function toast(text) {
    var box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  function drawStage(stage) {
    state.stage = stage;
    state.stageAt = performance.now();
    $("stage-number").textContent = (stage.index + 1) + "/" + stage.count;
    $("stage-title").textContent = stage.title;
    $("stage-headline").textContent = stage.headline;
    $("stage-subline").textContent = stage.subline;
    $("jump-keys").textContent = "1-" + stage.count;
    var notes = $("stage-notes");
    notes.textContent = "";
    (stage.notes || []).forEach(function (note) {  // only the presenter room hears the notes
      var item = document.createElement("li");
      item.textContent = note;
      notes.appendChild(item);
    });
    $("notes").hidden = !state.notes;
    document.body.dataset.stage = stage.key;
    document.body.dataset.clock = stage.clock;
    tick();
  }

  function tick() {
    var stage = state.stage;
    if (!stage) { return; }
    var extra = stage.clock === "running" ? (performance.now() - state.stageAt) / 1000 : 0;
    var inStage = stage.stage_elapsed + extra;
    var timer = $("stage-timer");
    var waiting = {waiting: " · press → to start", paused: " · paused (S)"}[stage.clock] || "";
    timer.textContent = clock(inStage) + " / " + clock(stage.seconds) + waiting;
    timer.classList.toggle("over", inStage > stage.seconds);
    var total = $("show-timer");
    total.textContent = clock(stage.show_elapsed + extra) + " / " + clock(stage.show_seconds);
    total.classList.toggle("over", stage.show_elapsed + extra > stage.show_seconds);
  }
  setInterval(tick, 250);

  function addFeed(lines, replace) {
    var feed = $("feed");
    if (replace) { feed.textContent = ""; }
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.className = "line " + line.level + " " + line.kind;
      var when = document.createElement("time");
      when.textContent = line.at ? new Date(line.at * 1000).toLocaleTimeString([], {hour12: false}) : "";
      var text = document.createElement("span");
      text.textContent = line.text;
      item.appendChild(when);
      item.appendChild(text);
      feed.insertBefore(item, feed.firstChild);
    });
    var keep = state.facts ? state.facts.feed_length : Infinity;
    while (feed.children.length > keep) { feed.removeChild(feed.lastChild); }
  }

  // one bar: tag | track | number, in the results' shared grid (show.css): the longest count
  // fills the track, every other bar is count/longest of it, unrounded
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

  function drawFacts(facts) {
    state.facts = facts;
    $("feed-words").textContent = facts.words.feed;
    $("reality-words").textContent = facts.words.reality;
    $("bot-attempts").textContent = facts.bot_attempts;
  }

  function drawResults(results) {
    state.results = results;
    var box = $("results");
    box.textContent = "";
    box.classList.toggle("hidden-results", !results.visible);
    var most = 0;
    results.options.forEach(function (o) { most = Math.max(most, o.fantasy || 0, o.real || 0); });
    results.options.forEach(function (option) {
      var group = document.createElement("div");
      group.className = "option";
      group.dataset.option = option.id;
      var label = document.createElement("div");
      label.className = "label";
      label.textContent = option.label;
      group.appendChild(label);
      if (results.visible) {
        group.appendChild(bar("lie", option.fantasy, most));
        group.appendChild(bar("truth", option.real, most));
      }
      box.appendChild(group);
    });
    var totals = $("totals");  // the words are the server's (lab/show/tally_words.py): drawn, never composed here
    totals.textContent = "";
    results.words.totals.forEach(function (part, index) {
      if (index) { totals.appendChild(document.createTextNode("\u00a0· ")); }  // the dot ends a line, never starts one
      var piece = document.createElement(part.kind ? "strong" : "span");
      piece.className = part.kind;
      piece.textContent = part.text;
      totals.appendChild(piece);
    });
    totals.classList.toggle("waiting", !results.visible);
    totals.classList.toggle("down", results.database !== "up");
  }

  function drawStatus(status) {
    state.status = status;
    var limit = status.rate_limit;
    var problems = [];
    if (limit.enabled && limit.degraded) { problems.push("Degraded: rate limit off (Redis does not answer, votes still counted)"); }
    if (status.postgres === "down") { problems.push("Database down: votes are not recorded (503)"); }
    var banner = $("banner");
    banner.textContent = problems.join(" \u00b7 ");
    banner.hidden = problems.length === 0;
    var chip = $("limit-state");
    chip.textContent = !limit.enabled ? "rate limit off"
      : limit.degraded ? "rate limit degraded" : "rate limit on: " + limit.limit + "/min";
    chip.className = "chip" + (limit.enabled ? (limit.degraded ? " degraded" : " on") : "");
    $("control-limit").textContent = limit.enabled ? "L rate limit off" : "L rate limit on";
  }

  function testName(name) {
    return name.replace(/^test_/, "").replace(/_/g, " ");
  }

  function clearTests() {
    state.tests = null;
    $("tests-target").textContent = "";
    ["fantasy", "reality"].forEach(function (side) {
      $("tests-" + side).textContent = "";
      var verdict = $("verdict-" + side);
      verdict.textContent = "";
      verdict.className = "verdict";
    });
    $("tests-hint").hidden = false;
  }

  function startTests(target) {
    clearTests();
    state.tests = {running: true, target: target};
    $("tests-target").textContent = "against the " + target + " app, running...";
    $("tests-hint").hidden = true;
  }

  function addTest(result) {
    var item = document.createElement("li");
    item.className = result.outcome;
    var name = document.createElement("span");
    name.textContent = testName(result.name);
    var seconds = document.createElement("time");
    seconds.textContent = result.seconds.toFixed(2) + " s";
    item.appendChild(name);
    item.appendChild(seconds);
    $("tests-" + result.side).appendChild(item);
  }

  function finishTests(finished) {
    state.tests = {running: false};
    $("tests-target").textContent = $("tests-target").textContent.replace(", running...", "");
    ["fantasy", "reality"].forEach(function (side) {
      var totals = finished[side];
      if (!totals) { return; }
      var verdict = $("verdict-" + side);
      var green = totals.failed === 0 && totals.other === 0;
      var counts = document.createElement("small");
      counts.textContent = totals.passed + " passed \u00b7 " + (totals.failed + totals.other) + " failed \u00b7 " +
        totals.seconds.toFixed(1) + " s";
      verdict.textContent = "";
      verdict.appendChild(counts);
      verdict.appendChild(document.createTextNode(totals.verdict));
      verdict.className = "verdict " + (green ? "green" : "red");
    });
  }

  function drawTests(tests) {
    if (!tests || !tests.target) { clearTests(); return; }
    startTests(tests.target);
    tests.results.forEach(addTest);
    if (tests.finished) { finishTests(tests.finished); }
  }

  function present(action, body) {
    if (!token) {
      toast("Presenter keys need the secret: open the presenter URL printed in the terminal.");
      return Promise.resolve();
    }
    return fetch("/api/presenter/" + action, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Presenter-Token": token},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { toast(answer.message || ("Refused: " + response.status)); }
        return answer;
      });
    }).catch(function () { toast("The show server does not answer."); });
  }

  function goTo(index) {
    if (!state.stage) { return; }
    index = Math.max(0, Math.min(state.stage.count - 1, index));
    present("stage", {stage: index});
  }

  function summarise(action, answer) {  // the server words what an action did (answer.said); the toast shows it
    if (answer && answer.status === "ok" && answer.said) { toast(answer.said); }
  }

  function act(action, body) {
    return present(action, body).then(function (answer) { summarise(action, answer); });
  }

  var SECOND_ACT = {
    l: function () { return act("rate-limit", {enabled: !(state.status && state.status.rate_limit.enabled)}); },
    b: function () { return act("bot"); },
    k: function () { return act("chaos", {action: "kill-redis"}); },
    p: function () { return act("chaos", {action: "pause-redis"}); },
    d: function () { return act("chaos", {action: "kill-postgres"}); },
    u: function () { return act("chaos", {action: "recover"}); },
    t: function () { return act("tests", {target: "naive"}); },
    T: function () { return act("tests", {target: "real"}); }
  };

  Array.prototype.forEach.call(document.querySelectorAll("#controls button"), function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      SECOND_ACT[button.dataset.key]().finally(function () { button.disabled = false; button.blur(); });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    var here = state.stage ? state.stage.index : 0;
    var second = key === "T" ? "T" : key.toLowerCase();
    if (SECOND_ACT.hasOwnProperty(second) && key.length === 1) { SECOND_ACT[second](); }
    else if (key === "ArrowRight" || key === "PageDown" || key === " ") {
      if (here === 0 && state.stage && state.stage.clock === "waiting") { present("clock", {running: true}); }
      else { goTo(here + 1); }
    }
    else if (key === "s" || key === "S") {
      present("clock", {running: !(state.stage && state.stage.clock === "running")});
    }
    else if (key === "ArrowLeft" || key === "PageUp") { goTo(here - 1); }
    else if (key === "Home") { goTo(0); }
    else if (/^[1-9]$/.test(key)) { goTo(Number(key) - 1); }
    else if (key === "r" || key === "R") {
      present("results", {visible: !(state.results && state.results.visible)});
    } else if (key === "x" || key === "X") {
      if (window.confirm("Reset everything? Votes, feed, rate limit, servers, test panel and clocks go back to the start.")) {
        present("reset");
      }
    } else if (key === "n" || key === "N") {
      state.notes = !state.notes;
      $("notes").hidden = !state.notes;
    } else if (key === "f" || key === "F") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen().catch(function () {}); }
    } else { return; }
    event.preventDefault();
  });

  if (token) { present("hello"); }  // proves the secret once: this browser is never locked out by the room's guesses
  // The secret in the connect auth puts this screen in the presenter room (it hears the notes); in a header on the
  // socket's HTTP requests (polling: a browser's WebSocket cannot carry one) it lets the screen in however full the room.
  var socket = io({auth: token ? {token: token} : {}, extraHeaders: token ? {"X-Presenter-Token": token} : {}});
  socket.on("connect", function () {
    $("connection").textContent = "live";
    $("connection").className = "connection live";
  });
  socket.on("disconnect", function () {
    $("connection").textContent = "reconnecting";
    $("connection").className = "connection lost";
  });
  socket.on("snapshot", function (snap) {
    $("question").textContent = snap.question;
    drawFacts(snap.facts);
    drawStage(snap.stage);
    addFeed(snap.feed, true);
    drawResults(snap.results);
    drawStatus(snap.status);
    drawTests(snap.tests);
    document.body.classList.remove("connecting");
  });
  socket.on("status", drawStatus);
  socket.on("tests_started", function (data) { startTests(data.target); });
  socket.on("test_result", addTest);
  socket.on("tests_finished", finishTests);
  socket.on("stage", drawStage);
  socket.on("feed", function (lines) { addFeed(lines, false); });
  socket.on("results", drawResults);
  window.realityEngine = {state: state, present: present, socket: socket};
})();
