// Admin product pages: select-all for bulk actions, drag-and-drop image upload through the
// media module's pre-signed URL (with a progress bar per file), and CSV import with upload
// progress. Every page works without this file except the image upload.
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || '';

function selectAll() {
  const form = document.querySelector('[data-catalog-bulk]');
  if (!form) return;
  const all = form.querySelector('[data-catalog-select-all]');
  const boxes = () => [...form.querySelectorAll('input[name="ids"]')];
  const count = form.querySelector('[data-catalog-selected]');
  const update = () => {
    const n = boxes().filter((b) => b.checked).length;
    if (count) count.textContent = n ? `${n} selected` : '';
    if (all) {
      all.checked = n > 0 && n === boxes().length;
      all.indeterminate = n > 0 && n < boxes().length;
    }
  };
  all?.addEventListener('change', () => {
    boxes().forEach((b) => { b.checked = all.checked; });
    update();
  });
  form.addEventListener('change', (e) => { if (e.target.name === 'ids') update(); });
  update();
}

// ---- image upload ----
const allowedTypes = ['image/jpeg', 'image/png', 'image/webp'];

function uploadImages() {
  const zone = document.querySelector('[data-catalog-upload]');
  if (!zone) return;
  const input = zone.querySelector('[data-catalog-upload-input]');
  const list = document.querySelector('[data-catalog-upload-list]');
  const errorBox = document.querySelector('[data-catalog-upload-error]');
  const product = zone.dataset.product;
  const maxBytes = Number(zone.dataset.maxBytes || 20971520);
  const errors = [];
  const showErrors = () => {
    errorBox.textContent = '';
    if (!errors.length) { errorBox.classList.add('d-none'); return; }
    errors.forEach((m) => {
      const p = document.createElement('p');
      p.className = 'mb-0';
      p.textContent = m;
      errorBox.append(p);
    });
    errorBox.classList.remove('d-none');
  };

  const api = async (method, path, body) => {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken(), Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || data.title || `HTTP ${res.status}`);
    return data;
  };

  const put = (url, file, type, onProgress) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', type);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new Error(data.detail || data.title || `HTTP ${xhr.status}`));
    });
    xhr.addEventListener('error', () => reject(new Error('the connection failed')));
    xhr.send(file);
  });

  const row = (file) => {
    const li = document.createElement('li');
    li.className = 'mb-2';
    const label = document.createElement('div');
    label.className = 'small d-flex justify-content-between';
    const name = document.createElement('span');
    name.textContent = file.name;
    const state = document.createElement('span');
    state.textContent = 'Waiting…';
    label.append(name, state);
    const bar = document.createElement('div');
    bar.className = 'progress';
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', `Uploading ${file.name}`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', '0');
    const fill = document.createElement('div');
    fill.className = 'progress-bar';
    fill.style.width = '0%';
    bar.append(fill);
    li.append(label, bar);
    list.append(li);
    return {
      progress(f) {
        const pct = Math.round(f * 100);
        fill.style.width = `${pct}%`;
        bar.setAttribute('aria-valuenow', String(pct));
        state.textContent = `${pct}%`;
      },
      say(text) { state.textContent = text; },
      finish(text, ok) {
        if (ok) this.progress(1);
        state.textContent = text;
        fill.classList.add(ok ? 'bg-success' : 'bg-danger');
      },
    };
  };

  const uploadOne = async (file) => {
    const type = file.type;
    if (!allowedTypes.includes(type)) {
      errors.push(`${file.name} was not uploaded: only JPEG, PNG or WebP images can be added.`);
      return false;
    }
    if (file.size > maxBytes) {
      errors.push(`${file.name} was not uploaded: it is larger than ${Math.round(maxBytes / 1048576)} MB.`);
      return false;
    }
    if (file.size === 0) {
      errors.push(`${file.name} was not uploaded: the file is empty.`);
      return false;
    }
    const ui = row(file);
    try {
      ui.say('Preparing…');
      const ticket = await api('POST', '/api/v1/admin/media/uploads', { content_type: type, bytes: file.size });
      const asset = await put(ticket.upload_url, file, type, (f) => ui.progress(f));
      ui.say('Attaching…');
      await api('POST', `/api/v1/admin/products/${product}/images`, { media_key: asset.key, alt: zone.dataset.alt || '' });
      ui.finish('Added', true);
      return true;
    } catch (e) {
      ui.finish('Failed', false);
      errors.push(`${file.name} was not uploaded: ${e.message}`);
      return false;
    }
  };

  const handle = async (files) => {
    errors.length = 0;
    showErrors();
    let added = 0;
    for (const file of files) {
      if (await uploadOne(file)) added += 1;
    }
    showErrors();
    if (added > 0 && !errors.length) {
      window.location.reload();
    } else if (added > 0) {
      const again = document.createElement('a');
      again.href = `${window.location.pathname}#images`;
      again.textContent = 'Show the added images';
      errorBox.append(again);
    }
  };

  input.addEventListener('change', () => { handle([...input.files]); input.value = ''; });
  ['dragenter', 'dragover'].forEach((t) => zone.addEventListener(t, (e) => {
    e.preventDefault();
    zone.classList.add('is-dragging');
  }));
  ['dragleave', 'drop'].forEach((t) => zone.addEventListener(t, () => zone.classList.remove('is-dragging')));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    handle([...(e.dataTransfer?.files || [])]);
  });
}

// ---- CSV import with progress ----
function importProgress() {
  const form = document.querySelector('[data-catalog-import]');
  if (!form) return;
  const wrap = form.querySelector('[data-catalog-import-progress]');
  const bar = form.querySelector('[data-catalog-import-bar]');
  const status = form.querySelector('[data-catalog-import-status]');
  const setPct = (pct) => {
    bar.style.width = `${pct}%`;
    wrap.setAttribute('aria-valuenow', String(pct));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    wrap.classList.remove('d-none');
    setPct(0);
    status.textContent = 'Uploading…';
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.addEventListener('progress', (ev) => {
      if (!ev.lengthComputable) return;
      const pct = Math.round((ev.loaded / ev.total) * 100);
      setPct(pct);
      status.textContent = pct < 100 ? `Uploading… ${pct}%` : 'Checking and importing rows…';
    });
    xhr.addEventListener('load', () => {
      button.disabled = false;
      const doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      const fresh = doc.querySelector('[data-catalog-import-result]');
      const target = document.querySelector('[data-catalog-import-result]');
      if (fresh && target) {
        target.replaceChildren(...fresh.childNodes);
        status.textContent = xhr.status < 300 ? 'Done.' : 'Not imported: see the errors.';
        bar.classList.add(xhr.status < 300 ? 'bg-success' : 'bg-danger');
        target.querySelector('[role="alert"]')?.focus?.();
      } else {
        status.textContent = `The import failed (HTTP ${xhr.status}).`;
      }
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      status.textContent = 'The connection failed; nothing was imported.';
    });
    xhr.send(new FormData(form));
  });
}

selectAll();
uploadImages();
importProgress();
