// Product page enhancements (the page works without them): thumbnails move the picture strip,
// choosing a colour shows its sizes and pictures, and the form asks for a size before posting.
const gallery = document.querySelector('[data-gallery]');
const slides = gallery ? gallery.querySelector('[data-gallery-slides]') : null;
const thumbs = gallery ? Array.from(gallery.querySelectorAll('.pdp-thumb')) : [];

function mark(index) {
  thumbs.forEach((thumb, i) => {
    if (i === index) thumb.setAttribute('aria-current', 'true');
    else thumb.removeAttribute('aria-current');
  });
}

function show(index) {
  if (!slides || !slides.children[index]) return;
  slides.scrollTo({ left: index * slides.clientWidth, behavior: 'smooth' });
  mark(index);
}

if (slides) {
  thumbs.forEach((thumb, i) => {
    thumb.addEventListener('click', (event) => {
      event.preventDefault();
      show(i);
    });
  });
  let timer = 0;
  slides.addEventListener('scroll', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (slides.clientWidth > 0) mark(Math.round(slides.scrollLeft / slides.clientWidth));
    }, 80);
  }, { passive: true });
}

const form = document.querySelector('[data-product-form]');
if (form) {
  const status = form.querySelector('[data-form-status]');
  const groups = Array.from(form.querySelectorAll('.pdp-sizes'));

  form.addEventListener('change', (event) => {
    const input = event.target;
    if (status && input.name === 'variant_id') {
      status.textContent = '';
      status.classList.remove('is-error');
    }
    if (input.name !== 'colour') return;
    const names = form.querySelectorAll('.pdp-colour-name');
    const index = Array.from(form.querySelectorAll('.pdp-colour-input')).indexOf(input);
    names.forEach((n, i) => n.classList.toggle('is-selected', i === index));
    for (const group of groups) {
      const mine = group.dataset.colour === input.value;
      group.classList.toggle('is-selected', mine);
      for (const size of group.querySelectorAll('input[name="variant_id"]')) {
        size.required = mine && !size.disabled;
        if (!mine) size.checked = false;
      }
      if (mine) {
        const enabled = group.querySelectorAll('input[name="variant_id"]:not(:disabled)');
        if (enabled.length === 1 && group.querySelectorAll('input[name="variant_id"]').length === 1) enabled[0].checked = true;
      }
    }
    if (slides) {
      const index = Array.from(slides.children).findIndex((s) => s.dataset.colour === input.value);
      if (index >= 0) show(index);
    }
  });

  form.addEventListener('submit', (event) => {
    if (form.querySelector('input[name="variant_id"]:checked')) return;
    event.preventDefault();
    event.stopPropagation();
    if (status) {
      status.textContent = form.dataset.msgSize || '';
      status.classList.add('is-error');
    }
    const first = form.querySelector('.pdp-sizes.is-selected input[name="variant_id"]:not(:disabled)');
    if (first) first.focus();
  });
}
