// Enhancements only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // The error summary takes the focus, so a screen reader reads it first.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }

  // Copy buttons: <button data-copy="ID" hidden> copies the text of element ID.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-status");
    if (!source || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) {
          status.textContent = "Vágólapra másolva.";
        }
      });
    });
  });
});
