/* The big screen (data-view="screen") and the audience page (data-view="watch").
   Polls the round's public state with If-None-Match (304 while nothing changed) every data-poll
   seconds and redraws the frame for the screen mode the host picked. The state holds only revealed
   scores. If the server is unreachable the last frame stays and polling goes on; when the server
   answers again after an outage the page reloads itself (new code, fresh start). Display options
   (rows per leaderboard page, seconds per page) come from the URL, so they survive a reload. */
(function () {
  "use strict";
  var root = document.querySelector("[data-state]");
  if (!root || !window.fetch) { return; }
  var view = root.getAttribute("data-view");
  var frame = document.getElementById("frame");
  var offline = document.getElementById("offline");
  var labels = JSON.parse(document.getElementById("speech-labels").textContent);
  var url = root.getAttribute("data-state");
  var poll = Math.max(1, parseInt(root.getAttribute("data-poll"), 10) || 1) * 1000;
  var rowsPerPage = parseInt(root.getAttribute("data-rows"), 10) || 10;
  var pageSeconds = parseInt(root.getAttribute("data-page-seconds"), 10) || 0;
  var standbyFrame = frame.querySelector("[data-mode=standby]");
  standbyFrame = standbyFrame ? standbyFrame.cloneNode(true) : null;
  var etag = null, state = null, failed = false, pageTimer = null, page = 0, drawnKey = null;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name] === undefined ? "" : values[name]; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function section(mode) { var node = el("section", "screen-" + mode); node.setAttribute("data-mode", mode); return node; }

  function card(current, big) {
    var box = el("div", "screen-card");
    if (!current) { box.appendChild(el("p", "screen-sub", labels.waiting)); return box; }
    box.appendChild(el("p", "screen-number", current.rehearsal ? labels.rehearsal : fill(labels.number, { n: current.position })));
    box.appendChild(el(big ? "h1" : "h2", "screen-name", current.name));
    if (current.unit) { box.appendChild(el("p", "screen-unit", current.unit)); }
    if (current.title) { box.appendChild(el("p", "screen-speech-title", "《" + current.title + "》")); }
    return box;
  }
  function progressLine(progress) {
    return el("p", "screen-progress", progress ? fill(labels.progress, { done: progress.submitted, all: progress.expected }) : "");
  }
  function revealBlock(reveal) {
    var box = el("div", "screen-reveal");
    var judges = el("ol", "screen-judges");
    reveal.judges.forEach(function (judge) {
      var item = el("li", "screen-judge" + (judge.struck ? " struck" : "") + (judge.out ? " out" : ""));
      item.appendChild(el("span", "screen-seat", fill(labels.seat, { n: judge.seat })));
      var total = el(judge.struck ? "del" : "span", "screen-judge-total", judge.out ? labels[judge.out] : judge.total);
      if (judge.struck) { total.setAttribute("title", judge.struck === "high" ? labels.struck_high : labels.struck_low); }
      item.appendChild(total);
      judges.appendChild(item);
    });
    box.appendChild(judges);
    reveal.deductions.forEach(function (d) {
      box.appendChild(el("p", "screen-deduction", fill(labels.deduction, { points: d.points, reason: d.reason })));
    });
    var final = el("p", "screen-final");
    final.appendChild(el("span", "screen-final-label", labels.final));
    final.appendChild(el("span", "screen-final-score", reveal.final));
    box.appendChild(final);
    return box;
  }
  function boardTitle(board, title) {
    var head = el("h1", "screen-board-title", title);
    if (board.provisional) { head.appendChild(el("span", "screen-provisional", labels.provisional)); }
    else { head.appendChild(el("span", "screen-version", fill(labels.published, { n: board.version }))); }
    return head;
  }
  function boardRows(rows, from, to) {
    var table = el("table", "screen-board");
    var body = el("tbody");
    rows.slice(from, to).forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("td", "screen-rank", row.rank));
      tr.appendChild(el("td", "screen-board-name", row.name));
      tr.appendChild(el("td", "screen-board-unit", row.unit));
      tr.appendChild(el("td", "screen-board-score", row.score));
      tr.appendChild(el("td", "screen-board-award", row.award || ""));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function stopPaging() { if (pageTimer) { window.clearInterval(pageTimer); pageTimer = null; } }

  function renderBoard(node, board, awards) {
    node.appendChild(boardTitle(board, awards ? labels.awards : labels.leaderboard));
    var rows = board.rows;
    if (!rows.length) { node.appendChild(el("p", "screen-sub", labels.no_rows)); return; }
    if (awards) {
      var groups = [], byName = {};
      rows.forEach(function (row) {
        var name = row.award || "";
        if (!name) { return; }
        if (!byName[name]) { byName[name] = []; groups.push(name); }
        byName[name].push(row);
      });
      rows = [];
      groups.forEach(function (name) { rows = rows.concat(byName[name]); });
    }
    var pages = pageSeconds > 0 ? Math.max(1, Math.ceil(rows.length / rowsPerPage)) : 1;
    var holder = el("div", "screen-board-page");
    var counter = el("p", "screen-page");
    node.appendChild(holder);
    node.appendChild(counter);
    function show() {
      var size = pageSeconds > 0 ? rowsPerPage : rows.length;
      page = page % pages;
      holder.textContent = "";
      holder.appendChild(boardRows(rows, page * size, page * size + size));
      counter.textContent = pages > 1 ? fill(labels.page, { page: page + 1, pages: pages }) : "";
    }
    show();
    if (pages > 1) { pageTimer = window.setInterval(function () { page += 1; show(); }, pageSeconds * 1000); }
  }

  function renderDraw(node, order, key) {
    node.appendChild(el("h1", "screen-board-title", labels.order));
    var list = el("ol", "screen-draw");
    node.appendChild(list);
    var names = order.map(function (item) { return item.name; });
    var animate = view === "screen" && drawnKey !== key && !sessionStorage.getItem("speech-draw-" + key);
    drawnKey = key;
    order.forEach(function (item, index) {
      var li = el("li", "screen-draw-item");
      li.appendChild(el("span", "screen-draw-number", fill(labels.number, { n: item.position })));
      var name = el("span", "screen-draw-name", animate ? "" : item.name);
      li.appendChild(name);
      li.appendChild(el("span", "screen-draw-unit", animate ? "" : item.unit));
      list.appendChild(li);
      if (!animate) { return; }
      /* Each place flickers through names from the whole field (already drawn ones too), so the
         sequence on screen never narrows down who is still to come. */
      var start = index * 1500;
      var flicker = window.setTimeout(function tick() {
        var spins = 0;
        var spin = window.setInterval(function () {
          name.textContent = names[Math.floor(Math.random() * names.length)];
          spins += 1;
          if (spins >= 12) {
            window.clearInterval(spin);
            name.textContent = item.name;
            li.querySelector(".screen-draw-unit").textContent = item.unit;
            li.classList.add("settled");
          }
        }, 80);
      }, start);
      void flicker;
    });
    if (animate) {
      window.setTimeout(function () { sessionStorage.setItem("speech-draw-" + key, "1"); }, order.length * 1500 + 1200);
    }
  }

  function render() {
    stopPaging();
    var mode = state.mode;
    var node = section(mode);
    if (view === "watch") {
      node.appendChild(card(state.current, false));
      if (state.progress && !state.reveal) { node.appendChild(progressLine(state.progress)); }
      if (state.reveal) { node.appendChild(revealBlock(state.reveal)); }
      if (state.leaderboard) { renderBoard(node, state.leaderboard, mode === "awards"); }
      if (state.order) { renderDraw(node, state.order, "watch"); }
    } else if (mode === "draw" && state.order) {
      renderDraw(node, state.order, (state.draw && state.draw.seed) || String(state.round.id));
    } else if ((mode === "leaderboard" || mode === "awards") && state.leaderboard) {
      renderBoard(node, state.leaderboard, mode === "awards");
    } else if (mode === "reveal" && state.reveal) {
      node.appendChild(card(state.reveal_card || state.current, true));
      node.appendChild(revealBlock(state.reveal));
    } else if ((mode === "on_stage" || mode === "progress" || mode === "reveal") && state.current) {
      node.appendChild(card(state.current, true));
      if (mode === "progress" || (state.progress && state.progress.submitted > 0)) {
        node.appendChild(progressLine(state.progress));
      }
    } else {
      if (standbyFrame) {
        node = standbyFrame.cloneNode(true);  /* the server-drawn standby frame, with the audience QR */
      } else {
        node = section("standby");
        node.appendChild(el("p", "screen-sub", labels.standby));
      }
    }
    frame.textContent = "";
    frame.appendChild(node);
    document.body.setAttribute("data-screen-mode", mode);
  }

  function schedule() { window.setTimeout(fetchState, poll); }

  function fetchState() {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("state " + response.status); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (fresh) {
        if (failed) { window.location.reload(); return; }
        offline.hidden = true;
        if (fresh) { state = fresh; render(); }
      })
      .catch(function () { failed = true; offline.hidden = false; /* keep the last frame */ })
      .then(schedule);
  }
  fetchState();
})();
