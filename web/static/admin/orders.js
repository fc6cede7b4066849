// Admin orders: the packing slip's Print button (the slip prints without it too, with Ctrl+P).
const printButton = document.querySelector('[data-orders-print]');
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener('click', () => window.print());
}
