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

  // Live checks: a form with data-live-check="URL" posts itself there (with its CSRF token)
  // when a field is left, and shows each field's messages in its "<name>-live" region. The
  // same messages come from the server-side check without JavaScript.
  // A press on one of the form's buttons leaves the last field, whose check then answers
  // while the button is held: its messages would move the button from under the pointer and
  // the click would be lost. They are shown once the button is let go.
  document.querySelectorAll("form[data-live-check]").forEach(function (form) {
    var url = form.getAttribute("data-live-check");
    var pressed = false;
    var held = null;
    form.addEventListener("pointerdown", function (event) {
      pressed = Boolean(event.target.closest && event.target.closest("button"));
    });
    document.addEventListener("pointerup", function () {
      pressed = false;
      if (held) {
        var show = held;
        held = null;
        setTimeout(show, 0); // after the click this press makes
      }
    });
    form.addEventListener("change", function (event) {
      var changed = event.target && event.target.name;
      if (!changed) {
        return;
      }
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) {
            return;
          }
          if (pressed) {
            held = function () { showAnswer(answer, changed); };
          } else {
            showAnswer(answer, changed);
          }
        })
        .catch(function () { /* the server-side check still works */ });
    });

    function showAnswer(answer, changed) {
      form.querySelectorAll(".field-live").forEach(function (region) {
        var name = region.id.replace(/-live$/, "");
        var input = form.elements[name];
        if (!input || (name !== changed && !input.value)) {
          return; // fields not filled in yet are not told off
        }
        var said = answer.fields[name] || { errors: [], notes: [] };
        // What the page said before about this field is replaced by what is said now.
        form.querySelectorAll("#" + name + "-error, [id^='" + name + "-note-']")
          .forEach(function (old) { old.hidden = true; });
        region.textContent = "";
        said.errors.forEach(function (text) {
          var p = document.createElement("p");
          p.className = "field-error";
          p.textContent = text;
          region.appendChild(p);
        });
        said.notes.forEach(function (text) {
          var p = document.createElement("p");
          p.className = "field-note";
          p.textContent = text;
          region.appendChild(p);
        });
      });
    }
  });
});
