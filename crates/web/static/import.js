// Progress for roster imports: upload percentage, then the time the server has been checking
// and writing. Without JavaScript the form posts normally and the result page simply arrives.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var box = document.getElementById("import-progress");
  if (!form || !box || !window.FormData || !window.XMLHttpRequest) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  var mb = function (n) { return (n / 1048576).toFixed(1); };
  form.addEventListener("submit", function (ev) {
    // The report button downloads a file: leave that to the browser.
    if (ev.submitter && ev.submitter.id !== "import-submit") return;
    ev.preventDefault();
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    var started = 0, ticker = 0;
    box.hidden = false;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.round((e.loaded / e.total) * 100);
      text.textContent = box.dataset.uploading + " " + bar.value + "%（" + mb(e.loaded) + " / " + mb(e.total) + " MB）";
    };
    xhr.upload.onload = function () {
      bar.removeAttribute("value");
      started = Date.now();
      var tick = function () {
        text.textContent = box.dataset.processing + " " + Math.round((Date.now() - started) / 1000) + "s";
      };
      tick();
      ticker = setInterval(tick, 1000);
    };
    xhr.onload = function () {
      clearInterval(ticker);
      // The server answers with the whole result page (200, or 422 when refused): show it.
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      clearInterval(ticker);
      text.textContent = box.dataset.failed;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    };
    xhr.open("POST", form.action);
    xhr.send(data);
  });
})();
