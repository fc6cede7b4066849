// Add to bag without a page load: posts the product form with fetch, updates the header's bag
// count and says so in a live region. On any problem the form is submitted the normal way.
const forms = document.querySelectorAll('form[action="/cart/add"]');
const status = forms.length === 0 ? null : (() => {
  let region = document.querySelector('[data-cart-status]');
  if (!region) {
    region = document.createElement('div');
    region.className = 'cart-status text-bg-dark shadow text-center rounded px-4 py-3';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    region.dataset.cartStatus = '';
    document.body.appendChild(region);
  }
  return region;
})();

let hideTimer = 0;
function say(message, link) {
  if (!status) return;
  status.textContent = message;
  if (link && link.url && link.label) {
    const a = document.createElement('a');
    a.href = link.url;
    a.className = 'link-light ms-2';
    a.textContent = link.label;
    status.append(' ', a);
  }
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { status.textContent = ''; }, 6000);
}

function setCount(n) {
  for (const el of document.querySelectorAll('[data-cart-count]')) el.textContent = String(n);
}

for (const form of forms) {
  form.addEventListener('submit', async (event) => {
    if (form.dataset.cartBusy === '1') { event.preventDefault(); return; }
    event.preventDefault();
    const button = event.submitter || form.querySelector('[type="submit"]');
    form.dataset.cartBusy = '1';
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        body: new URLSearchParams(new FormData(form)),
      });
      const body = await response.json();
      if (response.ok && typeof body.cart_count === 'number')
        setCount(body.cart_count);
      if (body.message) say(body.message, response.ok ? { url: body.view_url, label: body.view_label } : null);
      else throw new Error('no message');
    } catch (error) {
      form.dataset.cartBusy = '';
      if (button) button.disabled = false;
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    form.dataset.cartBusy = '';
    if (button) button.disabled = false;
  });
}

// Checkout: a new country brings its shipping methods at once (the form's "Update shipping
// options" button, which the page keeps for browsers without JavaScript).
const country = document.querySelector('.checkout-form select[name="country"]');
const refresh = document.querySelector('.checkout-form .checkout-refresh');
if (country && refresh) {
  refresh.classList.add('visually-hidden');
  refresh.tabIndex = -1;
  country.addEventListener('change', () => {
    refresh.form.requestSubmit(refresh);
  });
}

// Checkout: one click places one order (the server also ignores a second submit of the form).
const placeOrder = document.querySelector('.checkout-form [data-testid="place-order"]');
if (placeOrder) {
  placeOrder.form.addEventListener('submit', (event) => {
    if (event.submitter !== placeOrder) return;
    setTimeout(() => { placeOrder.disabled = true; }, 0);
  });
  window.addEventListener('pageshow', () => { placeOrder.disabled = false; });
}
