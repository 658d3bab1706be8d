// Keyboard-first voting: one key per answer (A agree, D disagree, P pass) on the statement shown,
// unless the person is typing somewhere. A file, not inline script: the CSP forbids inline script.
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
    return;
  }
  const target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
    return;
  }
  const button = document.querySelector('.current-statement button[data-key="' + event.key.toLowerCase() + '"]');
  if (button) {
    event.preventDefault();
    button.click();
  }
});
