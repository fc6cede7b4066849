// Settings and system pages: a Copy button beside a secret shown once (webhook signing secret,
// API token). Without JavaScript the secret is still selectable in its read-only field.
const buttons = document.querySelectorAll('[data-system-copy]');
for (const button of buttons) {
  const field = document.getElementById(button.dataset.systemCopy);
  if (!field || !navigator.clipboard) continue;
  button.classList.remove('d-none');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = 'Copied';
    } catch {
      field.select();
    }
  });
}
