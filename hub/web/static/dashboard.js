// Live sections: the hub pushes the names of the sections that changed (server-sent
// events); each one on this page is fetched again and swapped in. No inline script.
(function () {
  "use strict";
  var live = document.getElementById("live-state");
  if (!live || !window.EventSource) { return; }
  var wanted = (live.getAttribute("data-sections") || "").split(" ").filter(Boolean);
  var pending = {};

  function refresh(section) {
    if (pending[section]) { pending[section] = "again"; return; }
    pending[section] = "busy";
    fetch("/part/" + section, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { window.location.assign("/login"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        var el = document.getElementById(section);
        if (html !== null && el) {
          el.innerHTML = html;
          el.setAttribute("data-updated", String(Date.now()));
        }
      })
      .finally(function () {
        var again = pending[section] === "again";
        delete pending[section];
        if (again) { refresh(section); }
      });
  }

  var source = new EventSource("/events");
  source.addEventListener("hello", function () {
    live.textContent = "Live updates: on";
    live.setAttribute("data-connected", "1");
    wanted.forEach(refresh); // whatever changed while we were away
  });
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED) { // refused: signed out, or too many pages
      live.textContent = "Live updates: off (reload the page)";
      live.setAttribute("data-connected", "closed");
      refresh(wanted[0] || "board"); // goes to the sign-in page when the session has ended
      return;
    }
    live.textContent = "Live updates: reconnecting";
    live.setAttribute("data-connected", "0");
  };
  wanted.forEach(function (section) {
    source.addEventListener(section, function () { refresh(section); });
  });

  // The status form shows the field its status needs.
  var state = document.getElementById("change-state");
  function fields() {
    var v = state.value;
    document.getElementById("change-delay").parentNode.hidden = v !== "late";
    document.getElementById("change-leaving").parentNode.hidden = v !== "leaving_early";
  }
  if (state) { state.addEventListener("change", fields); fields(); }
})();
