// The staff pages' behaviours, in a file: the Content-Security-Policy allows no inline script.
// A button marked data-print prints the page (the interview kit).
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    window.print();
  }
});
