// Progressive enhancement: the countdown to a deadline, rendered by the server, kept current.
(function () {
  "use strict";
  function words(ms) {
    if (ms <= 0) { return "El plazo venció."; }
    var minutes = Math.max(1, Math.floor(ms / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + (days === 1 ? " día" : " días")); }
    if (hours) { parts.push(hours + (hours === 1 ? " hora" : " horas")); }
    if (mins) { parts.push(mins + (mins === 1 ? " minuto" : " minutos")); }
    var text = parts.length === 1 ? parts[0] : parts.slice(0, -1).join(", ") + " y " + parts[parts.length - 1];
    return "Faltan " + text + ".";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var nodes = document.querySelectorAll("[data-plazo]");
    if (!nodes.length) { return; }
    function tick() {
      nodes.forEach(function (node) {
        var at = Date.parse(node.dataset.plazo);
        if (!isNaN(at)) { node.textContent = words(at - Date.now()); }
      });
    }
    window.setInterval(tick, 30000);
  });
})();
