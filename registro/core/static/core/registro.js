// Progressive enhancement only: every form works without JavaScript.
(function () {
  "use strict";

  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("resumen-errores");
    if (summary) { summary.focus(); }
    document.querySelectorAll(".entity-picker").forEach(setUpEntityPicker);
  });

  // "Nombre de la Entidad": suggestions of registered entities; picking one keeps its NIT.
  function setUpEntityPicker(box) {
    var input = box.querySelector("input[name=entity_name]");
    var nit = box.querySelector("input[name=entity_nit]");
    var list = box.querySelector("datalist");
    var status = box.querySelector("#entidad-elegida");
    if (!input || !nit || !list) { return; }
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    var known = {};
    var timer = null;
    function describe() {
      var match = known[input.value];
      nit.value = match ? match.nit : "";
      if (status) {
        status.textContent = match
          ? "Entidad registrada: " + match.nombre + " (NIT " + match.nit + "). Podrá solicitar acceso."
          : (input.value.trim() ? "Entidad no registrada: podrá registrarla como Usuario Administrador." : "");
      }
    }
    input.addEventListener("input", function () {
      describe();
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(box.dataset.searchUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            list.innerHTML = "";
            rows.forEach(function (row) {
              known[row.nombre] = row;
              var option = document.createElement("option");
              option.value = row.nombre;
              option.label = "NIT " + row.nit + " · " + row.estado_label;
              list.appendChild(option);
            });
            describe();
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
    describe();
  }
})();
