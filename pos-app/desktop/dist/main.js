// Placeholder front end until ui/ (Vite + TypeScript) provides the terminal screens.
window.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("version");
  try {
    el.textContent = await window.__TAURI__.core.invoke("app_version");
  } catch (e) {
    el.textContent = "unavailable (" + e + ")";
  }
});
