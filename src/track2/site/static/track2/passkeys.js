// Passkeys (WebAuthn) on the sign-in, second-step and account pages. A file rather than inline
// script because the Content-Security-Policy allows only our own files. The server speaks the
// WebAuthn JSON forms (byte strings as base64url); the browser API wants ArrayBuffers.
(function () {
  "use strict";

  function toBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map(function (d) { return Object.assign({}, d, { id: toBytes(d.id) }); });
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: withIds(o.excludeCredentials),
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, { challenge: toBytes(o.challenge), allowCredentials: withIds(o.allowCredentials) });
  }

  function credentialJSON(credential) {
    const r = credential.response;
    const json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(r.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (r.attestationObject) {
      json.response.attestationObject = toBase64url(r.attestationObject);
      json.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(r.authenticatorData);
      json.response.signature = toBase64url(r.signature);
      if (r.userHandle) {
        json.response.userHandle = toBase64url(r.userHandle);
      }
    }
    return json;
  }

  function Refusal(messages) {
    this.messages = messages;
  }

  async function post(url, body, csrfToken) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (ignored) {
      data = null;  // a non-JSON answer (e.g. a proxy's error page) is reported just below
    }
    if (!response.ok || data === null) {
      throw new Refusal((data && data.errors) || ["The server answered " + response.status + ". Reload the page and try again."]);
    }
    return data;
  }

  function explain(error) {
    if (error instanceof Refusal) {
      return error.messages;
    }
    if (error && error.name === "NotAllowedError") {
      return ["The passkey request was cancelled or timed out. Try again when your device is ready."];
    }
    if (error && error.name === "InvalidStateError") {
      return ["This device already holds a passkey for your account here."];
    }
    return ["The passkey did not work (" + (error && error.message ? error.message : error) + "). Try again."];
  }

  function show(region, messages) {
    region.textContent = "";
    messages.forEach(function (message) {
      const line = document.createElement("p");
      line.textContent = message;
      region.appendChild(line);
    });
    region.hidden = false;
    region.focus();
  }

  // One flow for every passkey control: ask the server for options, ask the authenticator,
  // send its answer back, follow the redirect; any refusal is shown beside the control.
  async function run(control, extraBody) {
    const form = control.closest("form");
    const region = document.getElementById(control.dataset.errors);
    const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const busy = form.querySelector("button[type=submit]") || control;
    busy.setAttribute("aria-busy", "true");
    busy.disabled = true;
    try {
      const answer = await post(control.dataset.optionsUrl, extraBody, csrfToken);
      let credential;
      if (control.dataset.passkey === "add") {
        credential = await navigator.credentials.create({ publicKey: creationOptions(answer.options) });
        const done = await post(control.dataset.url, credentialJSON(credential), csrfToken);
        window.location.assign(done.redirect);
      } else {
        credential = await navigator.credentials.get({ publicKey: requestOptions(answer.options) });
        const done = await post(control.dataset.url, { credential: credentialJSON(credential), next: control.dataset.next || "" }, csrfToken);
        window.location.assign(done.redirect);
      }
    } catch (error) {
      show(region, explain(error));
      busy.removeAttribute("aria-busy");
      busy.disabled = false;
    }
  }

  function start() {
    const supported = Boolean(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkey]").forEach(function (control) {
      const wrapper = control.closest("[data-passkey-support]") || control;
      if (!supported) {
        return;  // stays hidden: the page works without passkeys
      }
      wrapper.hidden = false;
      if (control.tagName === "FORM") {
        control.addEventListener("submit", function (event) {
          event.preventDefault();
          run(control, { name: control.elements.name.value, password: control.elements.password.value });
        });
      } else {
        control.addEventListener("click", function (event) {
          event.preventDefault();
          run(control, {});
        });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
