// jixiao 工作台: a little script on server-rendered pages. Without it every link and form
// still works; with it files can be dropped, numbers open their derivation in the side panel,
// and a finding's "豁免…" button fills in the decision form.
"use strict";

async function uploadAll(files) {
  const status = document.getElementById("upload-status");
  const lines = [];
  for (const file of files) {
    const name = file.webkitRelativePath || file.name;
    status.textContent = "正在读取 " + name + " …";
    try {
      const response = await fetch("/upload?name=" + encodeURIComponent(name), { method: "POST", body: file });
      lines.push(await response.text());
    } catch (e) {
      lines.push(name + "：上传失败（" + e + "）");
    }
  }
  status.textContent = lines.join("；");
  sessionStorage.setItem("jixiao-upload", status.textContent);
  location.reload();
}

function setUpLoading() {
  const drop = document.getElementById("drop");
  if (!drop) return;
  const status = document.getElementById("upload-status");
  const last = sessionStorage.getItem("jixiao-upload");
  if (last && status) { status.textContent = last; sessionStorage.removeItem("jixiao-upload"); }
  // From the keyboard the drop area opens the file dialog (Enter or Space).
  drop.addEventListener("keydown", (e) => {
    if (e.target === drop && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      document.getElementById("pick-files").click();
    }
  });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    uploadAll(Array.from(e.dataTransfer.files));
  });
  for (const id of ["pick-files", "pick-folder"]) {
    const input = document.getElementById(id);
    if (input) input.addEventListener("change", () => uploadAll(Array.from(input.files)));
  }
}

function setUpExplain() {
  const panel = document.getElementById("explain-panel");
  if (!panel) return;
  for (const link of document.querySelectorAll("a.explain")) {
    link.addEventListener("click", async (e) => {
      e.preventDefault();
      const response = await fetch(link.getAttribute("href"));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const derivation = page.getElementById("derivation") || page.querySelector("main");
      panel.replaceChildren(...derivation.childNodes);
      panel.dataset.item = link.dataset.item;
      setUpWaivers(panel);
      panel.focus();
    });
  }
  panel.tabIndex = -1;
}

function setUpWaivers(root) {
  const form = document.getElementById("decide");
  if (!form) return;
  for (const button of root.querySelectorAll("button.waive")) {
    button.addEventListener("click", () => {
      form.elements.kind.value = "waive";
      form.elements.code.value = button.dataset.code;
      form.elements.indicator.value = button.dataset.indicator;
      form.elements.reason.focus();
    });
  }
}

function setUpDecisionForm() {
  const form = document.getElementById("decide");
  if (!form) return;
  if (!form.elements.date.value) form.elements.date.value = new Date().toISOString().slice(0, 10);
  setUpWaivers(document);
}

// A rule-set edit is checked and compared as it is typed: each change asks for the preview and
// puts it in place of the old one (the buttons still work without script).
function setUpRuleEdit() {
  const form = document.getElementById("rule-edit");
  if (!form) return;
  let asked = 0;
  form.addEventListener("change", async () => {
    const mine = ++asked;
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch("/rules/preview", { method: "POST", body });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("rule-outcome");
    const old = document.getElementById("rule-outcome");
    if (mine === asked && fresh && old) old.replaceWith(fresh);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpLoading();
  setUpRuleEdit();
  setUpExplain();
  setUpDecisionForm();
});
