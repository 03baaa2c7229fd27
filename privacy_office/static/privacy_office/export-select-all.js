// The export form's "Select all" box (django-import-export) ticks or clears every column. The
// library binds it with an onchange attribute, which the Content-Security-Policy refuses (the
// template drops it: templates/admin/import_export/export.html); the same function, as a listener.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
        toggle.addEventListener("change", onSelectToggleChange);
    });
});
