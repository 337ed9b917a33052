// Progressive enhancement only: every form works without JavaScript.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so keyboard and screen-reader users hear it first.
    var summary = document.getElementById("resumen-errores");
    if (summary) { summary.focus(); }
    document.querySelectorAll(".entity-picker").forEach(setUpEntityPicker);
    setUpLegalName();
    setUpCheckDigit();
    setUpMunicipios();
    setUpTipoCuenta();
    // Irreversible actions ask first; without JavaScript they simply happen.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
    document.querySelectorAll(".close-details").forEach(function (button) {
      button.addEventListener("click", function () {
        var details = button.closest("details");
        if (details) { details.open = false; details.querySelector("summary").focus(); }
      });
    });
  });

  // A search among registered entities; picking one keeps its NIT in a hidden field.
  function setUpEntityPicker(box) {
    var input = box.querySelector("input[name=" + (box.dataset.nameField || "entity_name") + "]");
    var nit = box.querySelector("input[name=" + (box.dataset.nitField || "entity_nit") + "]");
    var list = box.querySelector("datalist");
    var status = box.querySelector("[aria-live]");
    if (!input || !nit || !list) { return; }
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    var known = {};
    var timer = null;
    function describe() {
      var match = known[input.value];
      if (match) { nit.value = match.nit; }
      else if (input.value.trim() === "" || Object.keys(known).length) { nit.value = ""; }
      if (status) {
        status.textContent = match
          ? "Entidad registrada: " + match.nombre + " (NIT " + match.nit + "-" + match.dv + ", " + match.estado_label + ")."
          : (input.value.trim() ? "Entidad no registrada todavía." : "");
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
              option.label = "NIT " + row.nit + "-" + row.dv + " · " + row.estado_label;
              list.appendChild(option);
            });
            describe();
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  }

  // R3.3, as the server applies it: capitals, no accents, no punctuation, " - " around hyphens.
  function normalizeLegalName(raw) {
    var text = (raw || "").toUpperCase().replace(/Ñ/g, "\u0000");
    text = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\u0000/g, "Ñ");
    text = text.replace(/[\u2010-\u2015\u2212]/g, "-").replace(/[.,'\u00b4`\u2019]/g, "");
    text = text.replace(/[^A-ZÑ0-9\- ]+/g, " ").replace(/\s*-+\s*/g, " - ");
    return text.split(/\s+/).filter(Boolean).join(" ").replace(/^[ -]+|[ -]+$/g, "");
  }

  function setUpLegalName() {
    var out = document.getElementById("nombre-normalizado");
    var input = out && document.getElementById(out.dataset.source);
    if (!input) { return; }
    var update = function () { out.textContent = normalizeLegalName(input.value) || "—"; };
    input.addEventListener("input", update);
    update();
  }

  // DIAN modulo-11 check digit.
  function nitCheckDigit(nit) {
    var weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    var digits = nit.split("").reverse();
    var sum = 0;
    for (var i = 0; i < digits.length; i++) { sum += parseInt(digits[i], 10) * weights[i]; }
    var r = sum % 11;
    return String(r > 1 ? 11 - r : r);
  }

  function setUpCheckDigit() {
    var out = document.getElementById("nit-dv");
    var input = out && document.getElementById(out.dataset.source);
    if (!input) { return; }
    input.addEventListener("input", function () {
      var nit = input.value.replace(/[\s.]/g, "").split("-")[0];
      out.textContent = /^\d{6,10}$/.test(nit) ? nitCheckDigit(nit) : "—";
    });
  }

  // The pre-form shows only the questions of the kind of account chosen; without JavaScript a
  // button does it on the server.
  function setUpTipoCuenta() {
    var radios = document.querySelectorAll("input[data-tipo-cuenta-choice]");
    if (!radios.length) { return; }
    var groups = document.querySelectorAll("fieldset[data-tipo-cuenta]");
    document.querySelectorAll("[data-hide-with-js]").forEach(function (el) { el.remove(); });
    var show = function () {
      var chosen = document.querySelector("input[data-tipo-cuenta-choice]:checked");
      groups.forEach(function (group) { group.hidden = !chosen || group.dataset.tipoCuenta !== chosen.value; });
    };
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  // Municipalities of the chosen department only.
  function setUpMunicipios() {
    var select = document.querySelector("select[data-departamento-field]");
    var dpto = select && document.getElementById(select.dataset.departamentoField);
    if (!dpto) { return; }
    var filter = function () {
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var show = !dpto.value || option.dataset.departamento === dpto.value;
        option.hidden = !show;
        option.disabled = !show;
        if (!show && option.selected) { select.value = ""; }
      });
    };
    dpto.addEventListener("change", filter);
    filter();
  }
})();
