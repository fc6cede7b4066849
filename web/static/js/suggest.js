// Search suggestions: fills the layout's <datalist id="search-suggestions"> from
// /search/suggest as the shopper types in a search box that uses it.
const list = document.getElementById('search-suggestions');
const inputs = list ? Array.from(document.querySelectorAll('input[list="search-suggestions"]')) : [];
const cache = new Map();
let controller = null;
let timer = 0;

function fill(items) {
  list.replaceChildren(...items.map((text) => {
    const option = document.createElement('option');
    option.value = text;
    return option;
  }));
}

async function lookup(text) {
  if (cache.has(text)) {
    fill(cache.get(text));
    return;
  }
  if (controller) controller.abort();
  controller = new AbortController();
  try {
    const response = await fetch('/search/suggest?q=' + encodeURIComponent(text), {
      headers: { Accept: 'application/json' },
      signal: controller.signal,
    });
    if (!response.ok) return;
    const body = await response.json();
    const items = Array.isArray(body.items) ? body.items.filter((s) => typeof s === 'string') : [];
    cache.set(text, items);
    fill(items);
  } catch (error) {
    // aborted or offline: the box still works as a plain search form
  }
}

for (const input of inputs) {
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) {
      fill([]);
      return;
    }
    timer = setTimeout(() => lookup(text.toLowerCase()), 120);
  });
}
