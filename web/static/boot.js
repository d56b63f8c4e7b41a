// Starts the app. A file rather than an inline script, so that the Content-Security-Policy
// the server sends can refuse every inline script.
import init from '/tandem.js';

init({ module_or_path: '/tandem_bg.wasm' }).catch((e) => {
    console.error(e);
    const boot = document.getElementById('boot');
    if (boot) boot.textContent = 'Tandem could not start in this browser. Please reload the page.';
});
