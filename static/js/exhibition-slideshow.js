// The hall screen: accepted works one after another, full screen; the next image loads before it shows.
(function () {
  "use strict";
  var root = document.querySelector("[data-slides-root]");
  if (!root) { return; }
  var slides = Array.prototype.slice.call(root.querySelectorAll("[data-slide]"));
  var img = root.querySelector("[data-slide-image]");
  var caption = root.querySelector("[data-slide-caption]");
  var template = root.getAttribute("data-image-url");
  var interval = parseInt(root.getAttribute("data-interval") || "8000", 10);
  var index = -1;
  function url(slide) { return template.replace("{id}", slide.getAttribute("data-id")); }
  function show() {
    if (!slides.length) { return; }
    index = (index + 1) % slides.length;
    var slide = slides[index];
    var next = new Image();
    next.onload = function () {
      img.src = next.src;
      img.alt = slide.getAttribute("data-caption");
      caption.textContent = slide.getAttribute("data-caption");
      setTimeout(show, interval);
    };
    next.onerror = function () { setTimeout(show, 1000); };
    next.src = url(slide);
  }
  var full = root.querySelector("[data-fullscreen]");
  if (full) {
    full.addEventListener("click", function () {
      if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
      full.hidden = true;
    });
  }
  show();
}());
