// The header's language list switches the language as soon as one is chosen. A listener, not an
// onchange attribute: the Content-Security-Policy runs scripts from static files only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("language-switch");
    if (!form) {
        return;
    }
    form.querySelector("select[name=language]").addEventListener("change", function () {
        form.submit();
    });
});
