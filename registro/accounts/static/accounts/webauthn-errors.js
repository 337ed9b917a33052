// allauth's WebAuthn script reports a failed or cancelled ceremony as an "allauth.error" event and
// only logs it; say it on the page, in the alert region the snippet renders.
(function () {
  "use strict";
  document.addEventListener("allauth.error", function (event) {
    var box = document.getElementById("webauthn-error");
    if (!box) { return; }
    event.preventDefault();
    box.textContent = box.dataset.message;
    box.hidden = false;
  });
})();
