/* Arshif: on a narrow screen the filter panel (year, month, source) starts closed, one line at
   the top of the results, and opens on a tap. Without JavaScript it stays open. */
(function () {
  "use strict";
  var panel = document.querySelector("details.facet-panel");
  if (panel && window.matchMedia("(max-width: 859px)").matches) {
    panel.open = false;
  }
})();
